import { parse } from "yaml";
import { CHART_KINDS, KIND, KubernetesObject } from "../../contract";
import { chartRelease, isIstiodChart } from "../../mesh/mesh-object-readers";
import { policyAppliesToGateway } from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import { dig, Fields, fields, fieldsList, isFields, ofKind, specOf, text } from "../../mesh/object-fields";
import { StackRule, Violation, violation } from "../../engine/rule";

/** The command operator that puts the caller's SPIFFE ID in a log line. */
const CALLER_IDENTITY_OPERATOR = "%DOWNSTREAM_PEER_URI_SAN%";

const ISTIO_OPERATOR = { group: "install.istio.io", kind: "IstioOperator" } as const;
const CONFIG_MAP = { group: "", kind: "ConfigMap" } as const;

/** One mesh config found among the objects, and where it came from (for messages). */
interface MeshConfigSource {
  readonly object: KubernetesObject;
  readonly meshConfig: Fields;
}

/** istiod's mesh config wherever lint can see it: istiod chart values, an IstioOperator, or the `istio` ConfigMap. */
function meshConfigs(objects: readonly KubernetesObject[], mesh: MeshTopology): MeshConfigSource[] {
  const found: MeshConfigSource[] = [];
  for (const object of objects) {
    const release = chartRelease(object);
    if (release && isIstiodChart(release.chart)) {
      found.push({ object, meshConfig: fields(dig(release.values, "meshConfig")) });
    }
  }
  for (const operator of ofKind(objects, ISTIO_OPERATOR)) {
    found.push({ object: operator, meshConfig: fields(specOf(operator).meshConfig) });
  }
  for (const configMap of ofKind(objects, CONFIG_MAP)) {
    const { name, namespace } = configMap.metadata;
    if (!/^istio(-.+)?$/.test(name) || (namespace ?? mesh.rootNamespace) !== mesh.rootNamespace) continue;
    const raw = text(dig(configMap.data, "mesh"));
    if (raw === undefined) continue;
    let parsed: unknown;
    try {
      parsed = parse(raw);
    } catch {
      parsed = undefined;
    }
    found.push({ object: configMap, meshConfig: isFields(parsed) ? parsed : {} });
  }
  return found;
}

/** Whether an `envoyFileAccessLog` provider's format records the caller (labels or text). */
function logsCaller(provider: Fields): boolean {
  const format = fields(dig(provider, "envoyFileAccessLog", "logFormat"));
  const labels = Object.values(fields(format.labels)).map((v) => text(v) ?? "");
  return [...labels, text(format.text) ?? ""].some((v) => v.includes(CALLER_IDENTITY_OPERATOR));
}

export const gatewayAccessLogRecordsCaller: StackRule = {
  name: "gateway-access-log-records-caller",
  description:
    "When istiod's mesh config is among the objects (istiod chart values, IstioOperator or the `istio` ConfigMap), " +
    "every access-log provider the egress gateway's Telemetry names is defined there as an envoyFileAccessLog whose " +
    `format records the caller's identity (${CALLER_IDENTITY_OPERATOR}). The built-in \`envoy\` provider does not.`,
  severity: "medium",
  concern: "observability",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Add the provider `mesh-egress render` prints to meshConfig.extensionProviders (README: Access logs).",
  kinds: [KIND.Telemetry, ...CHART_KINDS, ISTIO_OPERATOR, CONFIG_MAP],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const configs = meshConfigs(objects, mesh);
    if (configs.length === 0) return [];
    const providers = new Map<string, Fields>();
    for (const { meshConfig } of configs) {
      for (const provider of fieldsList(meshConfig.extensionProviders)) {
        const name = text(provider.name);
        if (name) providers.set(name, provider);
      }
    }
    const out: Violation[] = [];
    const telemetries = ofKind(objects, KIND.Telemetry).filter((t) =>
      policyAppliesToGateway(mesh, t, dig(t.spec, "selector")),
    );
    for (const telemetry of telemetries) {
      for (const logging of fieldsList(specOf(telemetry).accessLogging)) {
        for (const name of fieldsList(logging.providers).map((p) => text(p.name) ?? "")) {
          const provider = providers.get(name);
          if (!provider) {
            out.push(
              violation(
                telemetry,
                name === "envoy"
                  ? "the gateway logs through the built-in envoy provider, whose format has no caller identity"
                  : `access-log provider "${name}" is not defined in meshConfig.extensionProviders, so the gateway logs nothing`,
                `define an envoyFileAccessLog provider logging ${CALLER_IDENTITY_OPERATOR} in meshConfig.extensionProviders and name it here`,
              ),
            );
          } else if (!logsCaller(provider)) {
            out.push(
              violation(
                telemetry,
                `access-log provider "${name}" does not record the caller (${CALLER_IDENTITY_OPERATOR})`,
                `add a label such as caller_identity: "${CALLER_IDENTITY_OPERATOR}" to its logFormat`,
              ),
            );
          }
        }
      }
    }
    return out;
  },
};
