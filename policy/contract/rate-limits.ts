// Rate limits at the egress gateway: the Envoy filter names the program inserts and the rules look for,
// and mesh-egress's own annotations on the EnvoyFilters that carry them.

export const HTTP_LOCAL_RATE_LIMIT = "envoy.filters.http.local_ratelimit";
export const NETWORK_LOCAL_RATE_LIMIT = "envoy.filters.network.local_ratelimit";
export const HTTP_GLOBAL_RATE_LIMIT = "envoy.filters.http.ratelimit";

/** On a gateway EnvoyFilter: tenants exempt from rate limits, one `namespace: reason` per line. */
export const RATE_LIMIT_EXEMPT_ANNOTATION = "mesh-egress.io/rate-limit-exempt";

/** On each rate-limit EnvoyFilter: what the fleet admits per limit, given the HPA's bounds. */
export const FLEET_LIMITS_ANNOTATION = "mesh-egress.io/fleet-limits";
