import { KIND, KubernetesObject } from "../../contract";
import { fieldsList, specOf, splitNamespacedHost, texts } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

export const sidecarEgressHostsScoped: ResourceRule = {
  name: "sidecar-egress-hosts-scoped",
  description:
    "No Sidecar imports `*/*` (every host of every namespace). A Sidecar exists to narrow what a workload can " +
    "address; `*/*` undoes the per-tenant allow list.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Replace */* with ./*, istio-system/* and one <gateway-namespace>/<host> entry per allowed service.",
  kinds: [KIND.Sidecar],
  scope: "resource",
  check(sidecar: KubernetesObject): Violation[] {
    const out: Violation[] = [];
    for (const host of fieldsList(specOf(sidecar).egress).flatMap((e) => texts(e.hosts))) {
      const { namespace, host: name } = splitNamespacedHost(host);
      if ((namespace === undefined || namespace === "*") && name === "*") {
        out.push(
          violation(
            sidecar,
            `egress host "${host}" imports every host of every namespace`,
            "list ./*, istio-system/* and the allowed <gateway-namespace>/<host> entries instead",
          ),
        );
      }
    }
    return out;
  },
};
