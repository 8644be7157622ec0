import { KubernetesObject, ObjectKind } from "../contract";
import type { MeshTopology } from "../mesh/mesh-topology";

/** How bad a violation is; the same scale as `@pulumi/policy`'s `Severity`. */
export type Severity = "critical" | "high" | "medium" | "low";

/** What a violation does to a deployment; the levels `--policy-pack-config` accepts. */
export type EnforcementLevel = "mandatory" | "advisory" | "disabled";

/** The concern a rule protects, and the folder of its file: `policy/rules/<concern>/<rule name>.ts`. */
export type Concern =
  | "registry"
  | "tenant-isolation"
  | "gateway-integrity"
  | "authorization"
  | "tls"
  | "envoy-filters"
  | "observability"
  | "break-glass";

/** What a rule found wrong: the object it is about, and a message that names it and the fix. */
export interface Violation {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly message: string;
}

interface RuleMetadata {
  /** Kebab-case; says what must hold. Also the key in `policy/config/<env>.json`. */
  readonly name: string;
  /** What the rule requires and why, for a reviewer who does not read the code. */
  readonly description: string;
  readonly severity: Severity;
  readonly concern: Concern;
  /** The level used when no config names the rule; prod runs everything at this level. */
  readonly defaultEnforcement: EnforcementLevel;
  /** Availability (HA) rules are advisory in dev; everything else is a security boundary. */
  readonly availability: boolean;
  /** How to fix a violation, in one sentence (CrossGuard shows it as remediation steps). */
  readonly remediation: string;
  /**
   * Resource rules: the kinds checked. Stack rules: the kinds whose presence makes the rule
   * applicable (without any of them, CrossGuard reports the rule as not applicable).
   */
  readonly kinds: readonly ObjectKind[];
  /** Settings a policy config entry may carry beside its level (`{"enforcementLevel": …, "maxDays": 30}`). */
  readonly settings?: RuleSettings;
}

/** Tunable values of a rule: CrossGuard validates them against `schema` and passes them to `configure`. */
export interface RuleSettings {
  /** JSON Schema of each setting, with its default. */
  readonly schema: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The same rule with these settings applied; a setting left out keeps its default. */
  configure(settings: Readonly<Record<string, unknown>>): Rule;
}

/** A rule whose evidence is a single object: CrossGuard runs it before the object is created. */
export interface ResourceRule extends RuleMetadata {
  readonly scope: "resource";
  check(object: KubernetesObject): Violation[];
}

/** A rule whose evidence spans objects: CrossGuard runs it over the whole stack. */
export interface StackRule extends RuleMetadata {
  readonly scope: "stack";
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[];
}

export type Rule = ResourceRule | StackRule;

/** An object reference good enough for a message, even for an object that is missing. */
export interface ObjectRef {
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
}

/** "ServiceEntry payments/stripe-api", "Namespace payments". */
export function describeRef(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name}`;
}

/** Builds a violation whose message reads "<Kind> <ns>/<name>: <problem>. Fix: <fix>." */
export function violation(ref: ObjectRef | KubernetesObject, problem: string, fix: string): Violation {
  const target = toRef(ref);
  const out: Violation = {
    kind: target.kind,
    name: target.name,
    message: `${describeRef(target)}: ${problem}. Fix: ${fix}.`,
    ...(target.namespace ? { namespace: target.namespace } : {}),
  };
  return out;
}

export function toRef(ref: ObjectRef | KubernetesObject): ObjectRef {
  if ("metadata" in ref) {
    const o = ref as KubernetesObject;
    const namespace = typeof o.metadata?.namespace === "string" ? o.metadata.namespace : undefined;
    return {
      kind: o.kind,
      name: String(o.metadata?.name ?? "<unnamed>"),
      ...(namespace ? { namespace } : {}),
    };
  }
  return ref as ObjectRef;
}

/** A Namespace as a violation's object. */
export const namespaceRef = (name: string): ObjectRef => ({ kind: "Namespace", name });
