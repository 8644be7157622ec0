import {
  isIstioKey,
  KIND,
  KubernetesObject,
  REVISION_KEY,
  TENANT_POD_KNOB_BY_KEY,
  TENANT_PROXY_CONFIG_SPEC_FIELDS,
  WORKLOAD_KINDS,
} from "../../contract";
import { MeshTopology } from "../../mesh/mesh-topology";
import { namespaceOf, ofKind, specOf } from "../../mesh/object-fields";
import { podView, PodView } from "../../mesh/pod-readers";
import { StackRule, Violation, violation } from "../../engine/rule";
import { inTenants, judgedTenants } from "../../mesh/tenant-scope";
import { runsRevision, knownRevisions } from "../../mesh/istio-revisions";

/**
 * Tenant isolation, Istio's pod knobs as a positive model: every Istio label or annotation on a tenant pod or
 * template is one the contract lists (TENANT_POD_KNOBS) with a value its pattern admits, and `istio.io/rev` names
 * a revision the platform runs. Whatever bypass Istio adds next is refused until someone lists it.
 */

/** The Istio keys of one pod a tenant may not set, or not to that value, as phrases naming key and value. */
function refusedIstioKnobs(pod: PodView, revisions: ReadonlySet<string>): string[] {
  const refused: string[] = [];
  const judge = (where: "label" | "annotation", key: string, value: string): void => {
    if (!isIstioKey(key)) return;
    const shown = value.includes("\n") ? "(multi-line)" : `"${value}"`;
    if (key === REVISION_KEY) {
      if (!runsRevision(revisions, value)) {
        refused.push(
          `${where} ${key}: ${shown} names a revision the platform does not run (${[...revisions].join(", ")}), so no injector takes the pod`,
        );
      }
      return;
    }
    const knob = TENANT_POD_KNOB_BY_KEY.get(key);
    if (!knob || (knob.podOnly && !pod.isPod)) {
      refused.push(`${where} ${key} is not a knob a tenant may set`);
    } else if (!new RegExp(knob.pattern).test(value)) {
      refused.push(`${where} ${key}: ${shown} is not a value a tenant may set (allowed: ${knob.pattern})`);
    }
  };
  for (const [key, value] of Object.entries(pod.labels)) judge("label", key, value);
  for (const [key, value] of Object.entries(pod.annotations)) judge("annotation", key, value);
  return refused;
}

export const tenantPodIstioKnobsAllowed: StackRule = {
  name: "tenant-pod-istio-knobs-allowed",
  description:
    "On pods and pod templates in tenant namespaces, every label and annotation in an Istio domain (`istio.io/`, " +
    "`sidecar.istio.io/`, `traffic.sidecar.istio.io/`, `proxy.istio.io/`, `inject.istio.io/`, …) is one the platform " +
    'lists as safe, with a safe value: injection on only as `sidecar.istio.io/inject: "true"`, ' +
    '`includeOutboundIPRanges` only `"*"` (what the injector writes with Istio CNI), interception only REDIRECT, ' +
    "`proxy.istio.io/config` only start-up, drain and concurrency fields, `istio.io/rev` only a revision the platform " +
    "runs (when the input shows which). Anything else (injection off in any spelling, interceptionMode NONE, excludeInterfaces, custom injection " +
    "templates, another proxy image) lets the pod's traffic skip the sidecar. The same knobs as an object: a tenant " +
    `ProxyConfig sets only ${TENANT_PROXY_CONFIG_SPEC_FIELDS.map((f) => "`" + f + "`").join(" and ")}, no ` +
    "environmentVariables (DISABLE_ENVOY, ISTIO_DUAL_STACK) and no image.",
  severity: "high",
  concern: "tenant-isolation",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Remove the Istio label or annotation from the pod template, or ask the platform team to list it as safe.",
  kinds: [...WORKLOAD_KINDS, KIND.ProxyConfig],
  scope: "stack",
  check(objects: readonly KubernetesObject[], mesh: MeshTopology): Violation[] {
    const revisions = knownRevisions(objects);
    const out: Violation[] = [];
    const tenants = judgedTenants(objects, mesh);
    for (const config of inTenants(ofKind(objects, KIND.ProxyConfig), tenants)) {
      const extra = Object.keys(specOf(config)).filter((f) => !TENANT_PROXY_CONFIG_SPEC_FIELDS.includes(f));
      if (extra.length === 0) continue;
      out.push(
        violation(
          config,
          `ProxyConfig in tenant namespace ${namespaceOf(config) ?? "default"} sets ${extra.join(", ")}: environmentVariables become the selected proxies' environment (DISABLE_ENVOY or ISTIO_DUAL_STACK=false leave pods uncaptured) and image swaps the proxy`,
          `keep only ${TENANT_PROXY_CONFIG_SPEC_FIELDS.join(" and ")} in the ProxyConfig; ask the platform team for a mesh-wide proxy setting`,
        ),
      );
    }
    for (const object of inTenants(objects, tenants)) {
      const pod = podView(object);
      if (!pod) continue;
      for (const refusal of refusedIstioKnobs(pod, revisions)) {
        out.push(
          violation(
            object,
            refusal,
            "remove it from the pod template (the sidecar then stays injected and captures all outbound traffic), or ask the platform team to list it as safe",
          ),
        );
      }
    }
    return out;
  },
};
