/**
 * The order the platform's parts are applied in, declared once: `render` emits the parts in this order
 * (namespaces, then charts, then objects) and `pulumi up` turns each `after` edge into dependsOn.
 */

/** A part of the platform: one field of `PlatformManifests`, one component of `EgressPlatform`. */
export type ApplyPart =
  | "controlPlane"
  | "certManager"
  | "guardrails"
  | "gateway"
  | "observability"
  | "certificates"
  | "services"
  | "rateLimits"
  | "tenants"
  | "breakGlass"
  | "clusterEgressLock";

export interface ApplyStep {
  readonly part: ApplyPart;
  /** The parts this one waits for; every one of them comes earlier in `APPLY_ORDER`. */
  readonly after: readonly ApplyPart[];
}

export const APPLY_ORDER: readonly ApplyStep[] = [
  // Istio's CRDs and istiod come first (base, CNI, istiod chained); cert-manager stands on its own.
  { part: "controlPlane", after: [] },
  { part: "certManager", after: [] },
  // The policies match Istio's kinds, and are in place before any tenant object.
  { part: "guardrails", after: ["controlPlane"] },
  { part: "gateway", after: ["controlPlane"] },
  // Monitors and rules watch the gateway's pods.
  { part: "observability", after: ["gateway"] },
  // Issuers live in the gateway namespace and need cert-manager's CRDs.
  { part: "certificates", after: ["gateway", "certManager"] },
  // Routes name the gateway's subsets; an origination rule names its certificate and roots.
  { part: "services", after: ["gateway", "certificates"] },
  // The filters patch listeners istiod builds whenever they appear: they need the gateway, not each route.
  { part: "rateLimits", after: ["gateway"] },
  // A tenant's lock closes only once the routes it uses exist.
  { part: "tenants", after: ["gateway", "services"] },
  // Routes and rules live in the gateway namespace; direct NetworkPolicies in the tenants'.
  { part: "breakGlass", after: ["gateway", "tenants"] },
  // Every other namespace loses the internet only once the gateway path exists.
  { part: "clusterEgressLock", after: ["gateway", "services", "tenants"] },
];

/** The parts `part` waits for. */
export function partsBefore(part: ApplyPart): readonly ApplyPart[] {
  const step = APPLY_ORDER.find((s) => s.part === part);
  if (!step) throw new Error(`apply order: unknown part ${part}`);
  return step.after;
}
