import { strict as assert } from "assert";
import { TENANT_SNI_SUFFIX } from "../components/tenant-sni";
import { renderDocuments } from "../cli/render";
import type { KubernetesObject } from "../components/kubernetes-object";
import { loadStackFile } from "../stacks/load-config";
import { projectStack, UNSEEN_STACK_FILE } from "./support/stacks";

/**
 * Properties of a prod render that no policy rule proves, checked on the rendered objects alone, without the
 * builders' help, on the prod stack and on a stack the project never shipped. What a rule proves (REGISTRY_ONLY,
 * default-deny egress, no internet for tenants, gateway HA and ClusterIP, scoped exportTo, SNI and SANs,
 * internal ranges excepted, no HTTP fields on TLS) is proven by linting these same renders in
 * policy/test/rendered-stacks.test.ts, and each weakening of it is caught there by its rule.
 */
const prodRenders: [string, () => KubernetesObject[]][] = [
  ["the prod stack", () => renderDocuments(projectStack("prod"))],
  ["an unseen stack file", () => renderDocuments(loadStackFile(UNSEEN_STACK_FILE))],
];

for (const [title, render] of prodRenders) {
  describe(`egress guarantees of ${title}`, () => {
    let docs: any[];
    let tenants: string[];
    before(() => {
      docs = render();
      tenants = docs
        .filter((d) => d.kind === "Namespace" && d.metadata.labels?.["mesh-egress.io/tenant"])
        .map((d) => d.metadata.name);
      assert.ok(tenants.length >= 3, "the stack has tenants to check");
    });
    const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);

    // The rule accepts several, each REGISTRY_ONLY; Istio applies only the oldest, so the render must hold one.
    it("gives every tenant exactly one namespace-wide Sidecar", () => {
      for (const tenant of tenants) {
        const sidecars = ofKind("Sidecar").filter(
          (s) => s.metadata.namespace === tenant && !s.spec.workloadSelector,
        );
        assert.equal(sidecars.length, 1, `${tenant} has one namespace-wide Sidecar`);
      }
    });

    // Rules forbid HTTP fields on TLS traffic; none demands a grant, so a TLS service nobody may use would pass.
    it("grants every TLS service's hosts at the gateway by connection.sni", () => {
      const tlsHosts = new Set(
        ofKind("ServiceEntry")
          .filter((e) => e.spec.ports.every((p: any) => p.protocol === "TLS"))
          .flatMap((e) => e.spec.hosts),
      );
      assert.ok(tlsHosts.size > 0);
      const authorizedBySni = new Set(
        ofKind("AuthorizationPolicy")
          .flatMap((policy) => policy.spec.rules ?? [])
          .flatMap((rule: any) => rule.when ?? [])
          .filter((condition: any) => condition.key === "connection.sni")
          .flatMap((condition: any) => condition.values),
      );
      // By the host itself, or (tenant chains) by a tenant's own SNI for it.
      const tenantSniOf = (host: string) =>
        [...authorizedBySni].some((sni) => sni.endsWith(`.${host}.${TENANT_SNI_SUFFIX}`));
      for (const host of tlsHosts) {
        assert.ok(authorizedBySni.has(host) || tenantSniOf(host), `${host} is authorized by SNI`);
      }
    });
  });
}
