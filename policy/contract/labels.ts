/** Kubernetes' recommended labels: every object the program owns carries the first two. */
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const PART_OF_LABEL = "app.kubernetes.io/part-of";
/** Which part of the platform an object belongs to (`egress-gateway`, `control-plane`, …). */
export const COMPONENT_LABEL = "app.kubernetes.io/component";

/** The ownership labels' values: reports, lints and operators select mesh-egress objects on them. */
export const MANAGED_BY = "pulumi";
export const PART_OF = "mesh-egress";
export const OWNED_LABELS: Readonly<Record<string, string>> = {
  [MANAGED_BY_LABEL]: MANAGED_BY,
  [PART_OF_LABEL]: PART_OF,
};

/** Marks the platform's own namespace; lint finds the gateway namespace by `ROLE_LABEL=GATEWAY_ROLE`. */
export const ROLE_LABEL = "mesh-egress.io/role";
export const GATEWAY_ROLE = "egress-gateway";
/** Marks a tenant namespace (its value is the tenant's name). */
export const TENANT_LABEL = "mesh-egress.io/tenant";
/** The external service an object serves. */
export const SERVICE_LABEL = "mesh-egress.io/external-service";
/** The certificate issuer an object belongs to. */
export const ISSUER_LABEL = "mesh-egress.io/issuer";

/** The label Kubernetes puts on every namespace with its own name (1.22+): the one label a selector can know. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";
