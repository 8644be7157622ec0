import { REVISION_KEY, TENANT_POD_KNOBS } from "../../policy/contract";
import { AdmissionGuardrailSettings, Guardrail, cel } from "./guardrail";
import { POD_RESOURCE_RULES, POD_VARIABLES } from "./pod-workloads";

const NAME = "tenant-pod-istio-knobs";

/** RE2 for exactly `text`. */
const literal = (text: string) => `^${text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;

/**
 * Istio's pod knobs, allow-listed: on tenant pods and pod templates every label and annotation in an Istio domain
 * must be one the contract lists (TENANT_POD_KNOBS) with a value its pattern admits, and `istio.io/rev` only the
 * configured revision. Whatever Istio adds next (a new bypass annotation) is refused until someone lists it.
 */
export function podIstioKnobsGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const patterns = (onPods: boolean) =>
    Object.fromEntries([
      ...TENANT_POD_KNOBS.filter((k) => onPods || !k.podOnly).map((k) => [k.key, k.pattern]),
      [REVISION_KEY, literal(s.revision)],
    ]);
  const refused = (map: string) =>
    `${map}.filter(k, k.contains('/') && (k.split('/')[0].lowerAscii() == 'istio.io' || k.split('/')[0].lowerAscii().endsWith('.istio.io')) && (!(k in variables.allowed) || !${map}[k].matches(variables.allowed[k])))`;
  const allowedKeys = TENANT_POD_KNOBS.map((k) => k.key);
  return {
    name: NAME,
    description:
      "Tenant pods and pod templates set only the Istio labels and annotations the platform lists as safe, with safe " +
      "values: the sidecar stays injected and captures all outbound traffic.",
    resourceRules: POD_RESOURCE_RULES,
    scope: "tenants",
    variables: [
      ...POD_VARIABLES,
      {
        name: "allowed",
        expression: `object.kind == 'Pod' ? ${cel(patterns(true))} : ${cel(patterns(false))}`,
      },
      // Keys only: a value may hold line breaks, which a messageExpression must not.
      {
        name: "refused",
        expression: `${refused("variables.labels")}.map(k, 'label ' + k) + ${refused("variables.annotations")}.map(k, 'annotation ' + k)`,
      },
    ],
    validations: [
      {
        expression: "size(variables.refused) == 0",
        message: `mesh-egress guardrail ${NAME}: an Istio label or annotation a tenant may not set, or a value it may not take (injection off, interception narrowed or off, another proxy image or template, an unknown revision). Allowed: ${allowedKeys.join(", ")}, ${REVISION_KEY}=${s.revision}. Fix: remove it, or ask the platform team to list it as safe.`,
        messageExpression: `'mesh-egress guardrail ${NAME}: refused ' + variables.refused.join('; ') + ': a tenant may set only the Istio knobs the platform lists as safe (proxy resources and log levels, inbound ports, holdApplicationUntilProxyStarts, sidecar.istio.io/inject=true, includeOutboundIPRanges=*, ${REVISION_KEY}=${s.revision}, ...). Fix: remove it, or ask the platform team to list it as safe.'`,
      },
    ],
  };
}
