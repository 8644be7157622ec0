import { strict as assert } from "assert";
import { renderDocuments } from "../../cli/render";
import { configFrom } from "../support/config-fixtures";

/** Every place the render reaches istiod, as text: Service hostnames, or pod selectors (`app: istiod`). */
function istiodReferences(documents: unknown[]): { hosts: string[]; selectors: Record<string, string>[] } {
  const text = JSON.stringify(documents);
  const hosts = [...text.matchAll(/istiod(-[a-z0-9-]+)?\.[a-z0-9-]+\.svc[a-z0-9.]*(:\d+)?/g)].map(
    (m) => m[0],
  );
  const selectors: Record<string, string>[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") {
      const labels = (value as Record<string, unknown>).matchLabels as Record<string, string> | undefined;
      if (labels?.app === "istiod") selectors.push(labels);
      Object.values(value).forEach(walk);
    }
  };
  walk(documents);
  return { hosts, selectors };
}

describe("a revisioned control plane", () => {
  it("is reached only as that revision's istiod: no default-revision Service name, every selector revisioned", () => {
    const config = configFrom({
      environment: "dev",
      controlPlane: { install: true, revision: "1-30-3" },
      services: [{ name: "stripe", hosts: ["api.stripe.com"], mode: "passthrough-mtls" }],
      tenants: [{ namespace: "payments", allow: ["stripe"] }],
    });
    const { hosts, selectors } = istiodReferences(renderDocuments(config));
    assert.deepEqual(
      hosts.filter((h) => !h.startsWith("istiod-1-30-3.")),
      [],
      "an object names the default revision's istiod Service",
    );
    assert.ok(selectors.length >= 2, "the gateway's and the tenant's NetworkPolicies select istiod");
    assert.ok(selectors.every((s) => s["istio.io/rev"] === "1-30-3"));
  });
});
