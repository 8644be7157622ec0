import { KIND, KubernetesObject } from "../../contract";
import { isBreakGlassObject } from "../break-glass/break-glass-expiry-valid";
import {
  externalHosts,
  isGatewayRef,
  isGatewayServiceHost,
  serversFor,
  serviceEntriesFor,
} from "../../mesh/mesh-queries";
import { MeshTopology } from "../../mesh/mesh-topology";
import {
  Fields,
  dig,
  fields,
  fieldsList,
  integer,
  nameOf,
  namespaceOf,
  ofKind,
  specOf,
  text,
  texts,
} from "../../mesh/object-fields";
import { ResourceRule, StackRule, Violation, violation } from "../../engine/rule";

/** One `tls` block of a DestinationRule, wherever it sits (top level, per port, per subset). */
interface TlsSetting {
  readonly where: string;
  readonly tls: Fields;
  readonly mode?: string;
  readonly port?: number;
  readonly subset?: string;
}

function tlsSettings(rule: KubernetesObject): TlsSetting[] {
  const out: TlsSetting[] = [];
  const collect = (policy: unknown, where: string, subset?: string): void => {
    const p = fields(policy);
    const add = (tls: unknown, at: string, port?: number): void => {
      if (tls === undefined) return;
      const t = fields(tls);
      const mode = text(t.mode);
      out.push({
        where: at,
        tls: t,
        ...(mode !== undefined ? { mode } : {}),
        ...(port !== undefined ? { port } : {}),
        ...(subset !== undefined ? { subset } : {}),
      });
    };
    add(p.tls, `${where}.tls`);
    fieldsList(p.portLevelSettings).forEach((s, i) =>
      add(s.tls, `${where}.portLevelSettings[${i}].tls`, integer(dig(s, "port", "number"))),
    );
  };
  const spec = specOf(rule);
  collect(spec.trafficPolicy, "trafficPolicy");
  fieldsList(spec.subsets).forEach((s, i) =>
    collect(s.trafficPolicy, `subsets[${i}].trafficPolicy`, text(s.name)),
  );
  return out;
}

const ORIGINATING_MODES = new Set(["SIMPLE", "MUTUAL"]);
/** Whether a host names something inside the cluster: a short name, `*.svc`, or under the cluster domain. */
export function isInClusterHost(host: string, clusterDomain: string): boolean {
  return (
    !host.includes(".") ||
    host.endsWith(".svc") ||
    host.endsWith(`.svc.${clusterDomain}`) ||
    host.endsWith(`.${clusterDomain}`)
  );
}

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

export const originationTlsNotDisabled: StackRule = {
  name: "origination-tls-not-disabled",
  description:
    "Traffic to a MESH_EXTERNAL host is never sent in plaintext by the mesh: no DestinationRule for such a host " +
    "sets `tls.mode: DISABLE`, and every HTTP route from the egress gateway to an external host has a " +
    "DestinationRule that originates TLS (SIMPLE or MUTUAL) for it.",
  severity: "critical",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Originate TLS at the gateway: a DestinationRule for the host with tls.mode SIMPLE (or MUTUAL), sni and SANs.",
  kinds: [KIND.DestinationRule, KIND.VirtualService],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const external = externalHosts(objects);
    const rules = ofKind(objects, KIND.DestinationRule);
    const out: Violation[] = [];
    for (const rule of rules) {
      const host = text(specOf(rule).host) ?? "";
      if (!external.has(host)) continue;
      for (const s of tlsSettings(rule).filter((t) => t.mode === "DISABLE")) {
        out.push(
          violation(
            rule,
            `${s.where} sets mode DISABLE toward external host ${host}, so traffic leaves the cluster in plaintext`,
            "set the mode to SIMPLE (or MUTUAL) with sni and subjectAltNames",
          ),
        );
      }
    }
    const originated = new Set(
      rules
        .filter((r) => tlsSettings(r).some((s) => s.mode !== undefined && ORIGINATING_MODES.has(s.mode)))
        .map((r) => text(specOf(r).host) ?? ""),
    );
    const reported = new Set<string>();
    for (const route of mesh.routes) {
      if (route.protocol !== "http" || !route.gateways.some((g) => isGatewayRef(mesh, g))) continue;
      for (const d of route.destinations) {
        const key = `${namespaceOf(route.virtualService)}/${route.virtualService.metadata.name}/${d.host}`;
        if (!external.has(d.host) || originated.has(d.host) || reported.has(key)) continue;
        reported.add(key);
        out.push(
          violation(
            route.virtualService,
            `the egress gateway forwards HTTP to external host ${d.host}, and no DestinationRule originates TLS for it`,
            `add a DestinationRule for ${d.host} in the gateway namespace with tls.mode SIMPLE (or MUTUAL), sni and subjectAltNames`,
          ),
        );
      }
    }
    return out;
  },
};

export const destinationRuleNoInsecureSkipVerify: ResourceRule = {
  name: "destination-rule-no-insecure-skip-verify",
  description:
    "No DestinationRule sets `tls.insecureSkipVerify: true`. Skipping verification accepts any certificate, so " +
    "anyone on the path can impersonate the external service and read what the cluster sends it.",
  severity: "critical",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Remove insecureSkipVerify and give the server's CA (caCertificates or <credentialName>-cacert) if it is private.",
  kinds: [KIND.DestinationRule],
  scope: "resource",
  check(rule: KubernetesObject): Violation[] {
    return tlsSettings(rule)
      .filter((s) => s.tls.insecureSkipVerify === true || s.tls.insecureSkipVerify === "true")
      .map((s) =>
        violation(
          rule,
          `${s.where} sets insecureSkipVerify, so the server's certificate is never verified`,
          "remove insecureSkipVerify; for a private CA set caCertificates or provide <credentialName>-cacert",
        ),
      );
  },
};

export const originationTlsSniAndSans: StackRule = {
  name: "origination-tls-sni-and-sans",
  description:
    "A SIMPLE or MUTUAL TLS setting of a DestinationRule that names the `sni` to send also names the " +
    "`subjectAltNames` to accept (in the tls block, or on the host's ServiceEntry). With an explicit SNI Istio " +
    "no longer checks the server certificate against the host, so any certificate from a trusted CA passes for " +
    "the service. With neither set, Istio sets the SNI and verifies the SAN from the request's host itself.",
  severity: "high",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Set tls.subjectAltNames (or the ServiceEntry's subjectAltNames) to the names the server's certificate carries.",
  kinds: [KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of ofKind(objects, KIND.DestinationRule)) {
      const host = text(specOf(rule).host) ?? "";
      const declared = serviceEntriesFor(mesh, host).some((e) => texts(specOf(e).subjectAltNames).length > 0);
      for (const s of tlsSettings(rule)) {
        if (s.mode === undefined || !ORIGINATING_MODES.has(s.mode)) continue;
        const sni = text(s.tls.sni);
        if (!sni || texts(s.tls.subjectAltNames).length > 0 || declared) continue;
        out.push(
          violation(
            rule,
            `${s.where} originates ${s.mode} TLS with sni ${sni} but no subjectAltNames, so the server certificate is not checked against ${host || "the host"}`,
            `set ${s.where}.subjectAltNames to the names the server's certificate carries (for ${host || "the external host"})`,
          ),
        );
      }
    }
    return out;
  },
};

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

export const istioMutualSubsetNotPassthrough: StackRule = {
  name: "istio-mutual-subset-not-passthrough",
  description:
    "A DestinationRule for the egress gateway's Service that wraps traffic in ISTIO_MUTUAL for an SNI host does " +
    "not target a PASSTHROUGH server of the egress Gateway: the gateway would expect the client's own TLS, get " +
    "Istio mTLS, and the connection fails (or the listener silently disappears). Use an ISTIO_MUTUAL server " +
    "(passthrough-mtls) or drop the subset's tls (passthrough).",
  severity: "medium",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Make the Gateway server tls.mode ISTIO_MUTUAL for that host, or remove ISTIO_MUTUAL from the subset.",
  kinds: [KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const out: Violation[] = [];
    for (const rule of ofKind(objects, KIND.DestinationRule)) {
      if (!isGatewayServiceHost(mesh, text(specOf(rule).host) ?? "", namespaceOf(rule))) continue;
      for (const s of tlsSettings(rule)) {
        const sni = text(s.tls.sni);
        if (s.mode !== "ISTIO_MUTUAL" || !sni) continue;
        const passthrough = serversFor(mesh, sni).find(
          (server) =>
            server.tlsMode === "PASSTHROUGH" &&
            (s.port === undefined || server.port === undefined || server.port === s.port),
        );
        if (passthrough) {
          out.push(
            violation(
              rule,
              `${s.where} sends ISTIO_MUTUAL with sni ${sni}, but Gateway ${namespaceOf(passthrough.gateway)}/${passthrough.gateway.metadata.name} serves ${sni} as PASSTHROUGH`,
              `set the Gateway server for ${sni} to tls.mode ISTIO_MUTUAL (passthrough-mtls), or remove the subset's tls (plain passthrough)`,
            ),
          );
        }
      }
    }
    return out;
  },
};

export const meshRouteHasGatewayRoute: StackRule = {
  name: "mesh-route-has-gateway-route",
  description:
    "Every host that sidecars route to the egress gateway (a VirtualService mesh route whose destination is the " +
    "gateway's Service) also has a gateway-side route (a VirtualService bound to the egress Gateway) that sends " +
    "it on to the external service. Without it the gateway has nowhere to send the traffic.",
  severity: "medium",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Bind the VirtualService to the egress Gateway too (gateways: [mesh, <ns>/<gateway>]) with a route to the host.",
  kinds: [KIND.VirtualService],
  scope: "stack",
  check(_objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const onward = new Set<string>();
    for (const route of mesh.routes) {
      if (!route.gateways.some((g) => isGatewayRef(mesh, g))) continue;
      const leaves = route.destinations.some(
        (d) => d.host !== "" && !isGatewayServiceHost(mesh, d.host, namespaceOf(route.virtualService)),
      );
      if (leaves) route.hosts.forEach((h) => onward.add(h));
    }
    const out: Violation[] = [];
    const reported = new Set<string>();
    for (const route of mesh.routes) {
      if (!route.gateways.includes("mesh")) continue;
      if (
        !route.destinations.some((d) => isGatewayServiceHost(mesh, d.host, namespaceOf(route.virtualService)))
      )
        continue;
      for (const host of route.hosts) {
        const key = `${namespaceOf(route.virtualService)}/${route.virtualService.metadata.name}/${host}`;
        if (onward.has(host) || reported.has(key)) continue;
        reported.add(key);
        out.push(
          violation(
            route.virtualService,
            `routes ${host} from sidecars to the egress gateway, but no route bound to the egress Gateway sends ${host} onward`,
            `add gateways: [mesh, <gateway-namespace>/<gateway>] and a ${route.protocol} route matching that gateway to ${host}`,
          ),
        );
      }
    }
    return out;
  },
};

export const gatewayDestinationRuleNotShadowed: StackRule = {
  name: "gateway-destination-rule-not-shadowed",
  description:
    "Only the platform namespace holds DestinationRules for the egress gateway's Service. A DestinationRule " +
    "for that host in a tenant namespace shadows the platform's for the tenant's sidecars: it can drop the " +
    "ISTIO_MUTUAL and SNI that carry the tenant's identity to the gateway, or point at subsets of its own.",
  severity: "high",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "Delete the namespace's DestinationRule for the gateway's Service; the platform's applies.",
  kinds: [KIND.DestinationRule],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const ns = mesh.gatewayNamespace;
    if (ns === undefined) return [];
    const rules = ofKind(objects, KIND.DestinationRule);
    const gatewayHost = (r: KubernetesObject): boolean =>
      isGatewayServiceHost(mesh, text(specOf(r).host) ?? "", namespaceOf(r));
    // Only claim a platform DestinationRule when the input holds one.
    const platformRule = rules.find((r) => namespaceOf(r) === ns && gatewayHost(r));
    return rules
      .filter((r) => namespaceOf(r) !== ns && gatewayHost(r))
      .map((r) =>
        violation(
          r,
          `configures traffic to the egress gateway's Service ${text(specOf(r).host) ?? ""} from namespace ${namespaceOf(r) ?? "default"}, ` +
            (platformRule
              ? `shadowing the platform's DestinationRule ${ns}/${nameOf(platformRule)}`
              : `where only the platform namespace ${ns} may configure it`),
          platformRule
            ? `delete it; ${ns}/${nameOf(platformRule)} already sets the subsets and their mTLS`
            : `move it to ${ns} (its subsets with tls.mode ISTIO_MUTUAL and the host as sni) and delete this one`,
        ),
      );
  },
};

export const tlsRules = [
  originationTlsNotDisabled,
  destinationRuleNoInsecureSkipVerify,
  originationTlsSniAndSans,
  originationRuleGatewayOnly,
  istioMutualSubsetNotPassthrough,
  meshRouteHasGatewayRoute,
  gatewayDestinationRuleNotShadowed,
];
