import {
  NAMESPACE_INJECTION_LABEL,
  NAMESPACE_INJECTION_ON,
  INJECTION_KEY,
  PLATFORM_NAMESPACE_LABEL_PREFIXES,
  PLATFORM_NAMESPACE_LABELS,
  REVISION_KEY,
  TENANT_LABEL,
} from "../../policy/contract";
import {
  AdmissionGuardrailSettings,
  Guardrail,
  carriesOwnership,
  cel,
  requesterIsPlatform,
} from "./guardrail";

/** Kubernetes' own cleaners: deleting a Namespace deletes what it holds, as these. */
const CLEANUP_IDENTITIES = [
  "system:serviceaccount:kube-system:namespace-controller",
  "system:serviceaccount:kube-system:generic-garbage-collector",
  "system:kube-controller-manager",
];

/**
 * What the platform renders into a tenant namespace is the platform's: its NetworkPolicy, Sidecar,
 * AuthorizationPolicy (and anything else carrying the ownership labels). Judged on the old object too, so an
 * update that drops the labels, or a delete, is caught; a tenant cannot create an object wearing them either.
 */
export function platformObjectsGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const ids = s.platformIdentities.join(", ") || "none configured";
  return {
    name: "platform-objects",
    description:
      "Objects carrying the platform's ownership labels in a tenant namespace are created, changed and deleted only by " +
      "guardrails.platformIdentities (and system:masters).",
    // Every resource: whatever the platform renders there next is covered without a list to keep in step.
    resourceRules: [{ apiGroups: ["*"], resources: ["*"] }],
    operations: ["CREATE", "UPDATE", "DELETE"],
    scope: "tenants",
    matchConditions: [
      // A tenant Namespace is the platform's too, but only its platform labels are: tenant-namespace judges it.
      { name: "not-a-namespace", expression: "request.resource.resource != 'namespaces'" },
      {
        name: "carries-ownership",
        expression: `(object != null && ${carriesOwnership("object.metadata")}) || (oldObject != null && ${carriesOwnership("oldObject.metadata")})`,
      },
    ],
    validations: [
      {
        expression: `${requesterIsPlatform(s.platformIdentities)} || (request.operation == 'DELETE' && request.userInfo.username in ${cel(CLEANUP_IDENTITIES)})`,
        message: `mesh-egress guardrail platform-objects: this object belongs to the platform (it carries app.kubernetes.io/managed-by=pulumi and app.kubernetes.io/part-of=mesh-egress); only guardrails.platformIdentities (${ids}) may create, change or delete it. Fix: change the stack and let pulumi up apply it, or ask the platform team.`,
        messageExpression: `'mesh-egress guardrail platform-objects: ' + request.userInfo.username + ' may not ' + request.operation.lowerAscii() + ' ' + request.resource.resource + '/' + request.name + ', which belongs to the platform (labels app.kubernetes.io/managed-by=pulumi, app.kubernetes.io/part-of=mesh-egress); only guardrails.platformIdentities (${ids}) may. Fix: change the stack and let pulumi up apply it, or ask the platform team.'`,
      },
    ],
  };
}

/** CEL: the platform's labels of a namespace's metadata, as a map (keys listed, or under a listed prefix). */
function platformLabels(meta: string): string {
  const keys = cel(PLATFORM_NAMESPACE_LABELS);
  const prefixes = cel(PLATFORM_NAMESPACE_LABEL_PREFIXES);
  return `(has(${meta}.labels) ? ${meta}.labels.filter(k, k in ${keys} || ${prefixes}.exists(p, k.startsWith(p))) : [])`;
}

/**
 * A tenant Namespace's platform labels (tenant, injection, revision, Pod Security) stay as the platform set them,
 * and it stays enrolled in injection. Matched on the old labels as well as the new: the binding alone would read
 * only the new ones, and an update removing the tenant label would remove the rule with it.
 */
export function tenantNamespaceGuardrail(s: AdmissionGuardrailSettings): Guardrail {
  const ids = s.platformIdentities.join(", ") || "none configured";
  const tenant = (meta: string) => `(has(${meta}.labels) && ${cel(TENANT_LABEL)} in ${meta}.labels)`;
  const label = (key: string) => `(${cel(key)} in variables.labels ? variables.labels[${cel(key)}] : '')`;
  return {
    name: "tenant-namespace",
    description:
      "A tenant Namespace keeps its platform labels (tenant, injection, revision, Pod Security) unless a platform " +
      "identity changes them, is deleted only by one, and keeps sidecar injection on.",
    resourceRules: [{ apiGroups: [""], resources: ["namespaces"] }],
    operations: ["CREATE", "UPDATE", "DELETE"],
    scope: "every-object",
    matchConditions: [
      {
        name: "tenant-namespace",
        expression: `(object != null && ${tenant("object.metadata")}) || (oldObject != null && ${tenant("oldObject.metadata")})`,
      },
    ],
    variables: [
      {
        name: "labels",
        expression: "object != null && has(object.metadata.labels) ? object.metadata.labels : {}",
      },
      { name: "platform", expression: requesterIsPlatform(s.platformIdentities) },
    ],
    validations: [
      {
        expression:
          `variables.platform || (request.operation == 'UPDATE' && ` +
          `${platformLabels("oldObject.metadata")}.all(k, k in variables.labels && variables.labels[k] == oldObject.metadata.labels[k]) && ` +
          `${platformLabels("object.metadata")}.all(k, has(oldObject.metadata.labels) && k in oldObject.metadata.labels))`,
        message: `mesh-egress guardrail tenant-namespace: a tenant Namespace's platform labels (${[...PLATFORM_NAMESPACE_LABELS, ...PLATFORM_NAMESPACE_LABEL_PREFIXES.map((p) => `${p}*`)].join(", ")}) are set, changed and removed, and the Namespace created or deleted, only by guardrails.platformIdentities (${ids}). Fix: change the tenant in the stack and let pulumi up apply it.`,
      },
      {
        expression:
          `request.operation == 'DELETE' || ((${label(NAMESPACE_INJECTION_LABEL)} == ${cel(NAMESPACE_INJECTION_ON)} || ` +
          `(${label(REVISION_KEY)} != '' && ${label(NAMESPACE_INJECTION_LABEL)} == '')) && ${label(INJECTION_KEY)} in ['', 'true'])`,
        message: `mesh-egress guardrail tenant-namespace: a tenant namespace keeps sidecar injection on (${NAMESPACE_INJECTION_LABEL}: ${NAMESPACE_INJECTION_ON}, or ${REVISION_KEY} without ${NAMESPACE_INJECTION_LABEL}; no ${INJECTION_KEY} other than "true"). Fix: restore the label.`,
      },
    ],
  };
}
