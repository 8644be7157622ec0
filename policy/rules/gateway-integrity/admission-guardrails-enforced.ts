import {
  GATEWAY_ROLE,
  KIND,
  KubernetesObject,
  ObjectKind,
  REQUIRED_GUARDRAILS,
  ROLE_LABEL,
} from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { list, ofKind, specOf } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

const VALIDATING_ADMISSION_POLICY: ObjectKind = {
  group: "admissionregistration.k8s.io",
  kind: "ValidatingAdmissionPolicy",
};
const VALIDATING_ADMISSION_POLICY_BINDING: ObjectKind = {
  group: "admissionregistration.k8s.io",
  kind: "ValidatingAdmissionPolicyBinding",
};

/**
 * Guardrails present wherever there are tenants; with `requireDeny` (the default, and prod's config)
 * each one bound to deny. Dev's config sets `requireDeny: false`: its baseline binds Warn + Audit.
 */
export function admissionGuardrailsEnforced(requireDeny = true): StackRule {
  return {
    name: "admission-guardrails-enforced",
    description:
      "Where mesh-egress runs (its labelled gateway namespace) and there are tenants, every admission guardrail (a ValidatingAdmissionPolicy `mesh-egress-<name>`) is " +
      "deployed and bound, with validationActions including Deny unless the policy config sets " +
      "`requireDeny: false` (dev). CrossGuard sees only the stack; the guardrails make the API server refuse the " +
      "weakenings nobody previews: a tenant's hijacking Gateway, its own MESH_EXTERNAL ServiceEntry, a " +
      "NetworkPolicy to 0.0.0.0/0.",
    severity: "high",
    concern: "gateway-integrity",
    defaultEnforcement: "mandatory",
    availability: false,
    remediation: "Keep mesh-egress:guardrails enabled, with validationActions [Deny] in prod (the baseline).",
    kinds: [KIND.Namespace, VALIDATING_ADMISSION_POLICY, VALIDATING_ADMISSION_POLICY_BINDING],
    scope: "stack",
    settings: {
      schema: {
        requireDeny: {
          type: "boolean",
          default: true,
          description: "Whether each guardrail must be bound with Deny (false: any binding will do).",
        },
      },
      configure: (settings) => admissionGuardrailsEnforced(settings.requireDeny !== false),
    },
    check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
      // The guardrails are mesh-egress's own: judge platforms it deployed (its labelled gateway namespace), not any mesh.
      const platform = ofKind(objects, KIND.Namespace).some(
        (n) => n.metadata.labels?.[ROLE_LABEL] === GATEWAY_ROLE,
      );
      if (!platform || mesh.tenantNamespaces.size === 0) return [];
      const policies = new Set(ofKind(objects, VALIDATING_ADMISSION_POLICY).map((p) => p.metadata.name));
      const bindings = ofKind(objects, VALIDATING_ADMISSION_POLICY_BINDING);
      const out: Violation[] = [];
      for (const guardrail of REQUIRED_GUARDRAILS) {
        const name = `mesh-egress-${guardrail}`;
        if (!policies.has(name)) {
          out.push(
            violation(
              { kind: "ValidatingAdmissionPolicy", name },
              `the admission guardrail ${guardrail} is missing, so the API server admits what it would refuse`,
              "enable mesh-egress:guardrails",
            ),
          );
          continue;
        }
        const bound = bindings.filter((b) => specOf(b).policyName === name);
        const enforcing = requireDeny
          ? bound.filter((b) => list(specOf(b).validationActions).includes("Deny"))
          : bound;
        if (enforcing.length === 0) {
          out.push(
            violation(
              { kind: "ValidatingAdmissionPolicyBinding", name },
              bound.length === 0
                ? `nothing binds ${name}, so it judges no request`
                : `no binding of ${name} denies (validationActions without Deny only warn or audit)`,
              "bind it with validationActions [Deny]",
            ),
          );
        }
      }
      return out;
    },
  };
}

/** The rule at its defaults, as the catalog lists it; `settings.configure` applies a policy config. */
export const admissionGuardrailsEnforcedRule = admissionGuardrailsEnforced();
