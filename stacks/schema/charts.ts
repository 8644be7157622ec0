/** The charts the stack installs by default: Istio's (base, istiod, gateway) and cert-manager's. */
export const ISTIO_CHART = {
  version: "1.30.3",
  repository: "https://istio-release.storage.googleapis.com/charts",
};
export const CERT_MANAGER_CHART = { version: "v1.21.1", repository: "https://charts.jetstack.io" };
