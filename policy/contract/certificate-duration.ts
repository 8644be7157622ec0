/** cert-manager's lifetime for a Certificate that leaves `duration` out: 90 days, as a Go duration. */
export const DEFAULT_CERTIFICATE_DURATION = "2160h";
