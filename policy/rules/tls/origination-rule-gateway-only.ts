import { KIND, KubernetesObject } from "../../contract";
import { isBreakGlassObject } from "../../mesh/break-glass-objects";
import { externalHosts } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf, ofKind, specOf, text, texts } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";
import { isInClusterHost } from "../../mesh/in-cluster-hosts";
import { tlsSettings, ORIGINATING_MODES } from "../../mesh/destination-rule-tls";

/** A DestinationRule that originates TLS to a host outside the cluster. */
function isOriginationRule(
  rule: KubernetesObject,
  external: ReadonlySet<string>,
  clusterDomain: string,
): boolean {
  const host = text(specOf(rule).host) ?? "";
  const outside = external.has(host) || !isInClusterHost(host, clusterDomain);
  return outside && tlsSettings(rule).some((s) => s.mode !== undefined && ORIGINATING_MODES.has(s.mode));
}

export const originationRuleGatewayOnly: StackRule = {
  name: "origination-rule-gateway-only",
  description:
    'A DestinationRule that originates TLS to an external host lives in the gateway namespace with `exportTo: ["."]`. ' +
    "Exported further, sidecars would originate TLS themselves and bypass the gateway's single, audited path out.",
  severity: "high",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: 'Keep origination DestinationRules in the gateway namespace with exportTo: ["."].',
  kinds: [KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const external = externalHosts(objects);
    const out: Violation[] = [];
    for (const rule of ofKind(objects, KIND.DestinationRule).filter((r) =>
      isOriginationRule(r, external, mesh.clusterDomain),
    )) {
      const host = text(specOf(rule).host) ?? "";
      const namespace = namespaceOf(rule);
      if (mesh.gatewayNamespace !== undefined && namespace !== mesh.gatewayNamespace) {
        out.push(
          violation(
            rule,
            `originates TLS to ${host} from namespace ${namespace ?? "default"}, outside the gateway namespace ${mesh.gatewayNamespace}`,
            `move it to ${mesh.gatewayNamespace} with exportTo: ["."]`,
          ),
        );
        continue;
      }
      const exportTo = texts(specOf(rule).exportTo);
      // A break-glass `direct` rule lets the tenants' sidecars originate while the gateway is down.
      if (isBreakGlassObject(rule)) continue;
      if (exportTo.length !== 1 || exportTo[0] !== ".") {
        out.push(
          violation(
            rule,
            `originates TLS to ${host} but is exported to ${exportTo.length === 0 ? "every namespace (no exportTo)" : JSON.stringify(exportTo)}`,
            'set spec.exportTo to ["."] so only the gateway uses it',
          ),
        );
      }
    }
    return out;
  },
};
