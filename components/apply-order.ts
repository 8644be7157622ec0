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
  /** Why it waits, for the reader of a dependency graph. */
  readonly because: string;
}

export const APPLY_ORDER: readonly ApplyStep[] = [
  {
    part: "controlPlane",
    after: [],
    because: "Istio's CRDs and istiod come first (base, CNI, istiod chained)",
  },
  { part: "certManager", after: [], because: "cert-manager stands on its own" },
  {
    part: "guardrails",
    after: ["controlPlane"],
    because: "the policies match Istio's kinds, and are in place before any tenant object",
  },
  {
    part: "gateway",
    after: ["controlPlane"],
    because: "the gateway chart needs istiod when the stack installs it",
  },
  { part: "observability", after: ["gateway"], because: "monitors and rules watch the gateway's pods" },
  {
    part: "certificates",
    after: ["gateway", "certManager"],
    because: "issuers live in the gateway namespace and need cert-manager's CRDs",
  },
  {
    part: "services",
    after: ["gateway", "certificates"],
    because: "routes name the gateway's subsets; an origination rule names its certificate and roots",
  },
  {
    part: "rateLimits",
    after: ["gateway"],
    because:
      "the filters patch listeners istiod builds whenever they appear: they need the gateway, not each route",
  },
  {
    part: "tenants",
    after: ["gateway", "services"],
    because: "a tenant's lock closes only once the routes it uses exist",
  },
  {
    part: "breakGlass",
    after: ["gateway", "tenants"],
    because: "routes and rules live in the gateway namespace; direct NetworkPolicies in the tenants'",
  },
  {
    part: "clusterEgressLock",
    after: ["gateway", "services", "tenants"],
    because: "every other namespace loses the internet only once the gateway path exists",
  },
];

/** The parts `part` waits for. */
export function partsBefore(part: ApplyPart): readonly ApplyPart[] {
  const step = APPLY_ORDER.find((s) => s.part === part);
  if (!step) throw new Error(`apply order: unknown part ${part}`);
  return step.after;
}
