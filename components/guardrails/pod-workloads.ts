/** Where the pod spec and metadata sit in each kind that makes pods: every guardrail on pods reads them from here. */

/** Pods, their ephemeral-container subresource, and every kind carrying a pod template. */
export const POD_RESOURCE_RULES: readonly { apiGroups: string[]; resources: string[] }[] = [
  {
    apiGroups: [""],
    resources: ["pods", "pods/ephemeralcontainers", "replicationcontrollers", "podtemplates"],
  },
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets", "daemonsets", "replicasets"] },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"] },
];

/**
 * CEL variables: `pod` (the Pod, or the template that becomes one), `meta`'s `labels` and `annotations`, the
 * pod `spec`, and `containers` (containers, init and ephemeral ones, as one list).
 */
export const POD_VARIABLES: readonly { name: string; expression: string }[] = [
  {
    name: "pod",
    expression:
      "object.kind == 'Pod' ? dyn(object) : object.kind == 'CronJob' ? dyn(object.spec.jobTemplate.spec.template) : " +
      "object.kind == 'PodTemplate' ? dyn(object.template) : dyn(object.spec.template)",
  },
  {
    name: "labels",
    expression:
      "has(variables.pod.metadata) && has(variables.pod.metadata.labels) ? variables.pod.metadata.labels : {}",
  },
  {
    name: "annotations",
    expression:
      "has(variables.pod.metadata) && has(variables.pod.metadata.annotations) ? variables.pod.metadata.annotations : {}",
  },
  { name: "spec", expression: "has(variables.pod.spec) ? variables.pod.spec : {}" },
  {
    name: "containers",
    expression:
      "(has(variables.spec.containers) ? variables.spec.containers : []) + " +
      "(has(variables.spec.initContainers) ? variables.spec.initContainers : []) + " +
      "(has(variables.spec.ephemeralContainers) ? variables.spec.ephemeralContainers : [])",
  },
];
