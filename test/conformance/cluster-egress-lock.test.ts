import { strict as assert } from "assert";
import { buildClusterEgressLockManifests } from "../../components/cluster-egress-lock";
import { buildBreakGlassManifests } from "../../components/break-glass";
import { configFrom } from "../support/config-fixtures";
import { breakGlassConfig, entry } from "../support/break-glass-fixtures";
import { describeWithUpstreamSchemas, formatOutcome, loadCrdCatalog } from "../support/upstream-schemas";

describeWithUpstreamSchemas(
  "the cluster-wide egress lock against the network-policy API's CRD",
  (schemasDir) => {
    it("validates the rendered AdminNetworkPolicy against v0.1.8's schema and CEL rules", () => {
      const policies = buildClusterEgressLockManifests(
        configFrom({
          environment: "prod",
          cluster: { lockAllNamespaces: { exempt: ["cert-manager"], priority: 3 } },
        }),
      );
      assert.equal(policies.length, 2, "the lock and the DNS upstream pass");
      for (const policy of policies) {
        const outcome = loadCrdCatalog(schemasDir).validate(policy);
        assert.equal(outcome.status, "validated", formatOutcome(outcome));
      }
    });

    it("validates a lock with more internal ranges than one networks peer holds (the CRD's 25)", () => {
      // 11 shared ranges plus 20 of the cluster's own: split over two peers.
      const own = Array.from({ length: 20 }, (_, i) => `2600:1f14:${(i + 1).toString(16)}::/56`);
      const [policy] = buildClusterEgressLockManifests(
        configFrom({ environment: "prod", cluster: { internalCidrs: own, lockAllNamespaces: true } }),
      );
      const passed = (policy!.spec as any).egress[1].to;
      assert.deepEqual(
        passed.map((peer: any) => peer.networks.length),
        [25, 6],
      );
      const outcome = loadCrdCatalog(schemasDir).validate(policy!);
      assert.equal(outcome.status, "validated", formatOutcome(outcome));
    });

    it("validates the AdminNetworkPolicy a direct break-glass entry adds under the lock", () => {
      const config = breakGlassConfig({ breakGlass: [entry()], cluster: { lockAllNamespaces: true } });
      const pass = buildBreakGlassManifests(config)
        .entries.flatMap((e) => e.objects)
        .find((o) => o.kind === "AdminNetworkPolicy");
      assert.ok(pass, "the entry adds an AdminNetworkPolicy");
      const outcome = loadCrdCatalog(schemasDir).validate(pass);
      assert.equal(outcome.status, "validated", formatOutcome(outcome));
    });
  },
);
