import { strict as assert } from "assert";
import { certificateKeyStrength } from "../policy/rules/tls/certificate-key-strength";
import { KEY_ALGORITHMS } from "../policy/contract/key-strength";
import { privateKeySchema } from "../stacks/schema/certificates";

const SIZES = [undefined, 224, 256, 384, 521, 1024, 2047, 2048, 3072, 4096, 8192];

function certificateWith(privateKey: Record<string, unknown>) {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: "client", namespace: "istio-egress" },
    spec: { secretName: "client", privateKey },
  };
}

describe("key strength, shared by the config schema and the policy pack", () => {
  for (const algorithm of KEY_ALGORITHMS) {
    it(`the schema refuses every ${algorithm} size the certificate-key-strength rule calls weak`, () => {
      let flagged = 0;
      for (const size of SIZES) {
        const key = size === undefined ? { algorithm } : { algorithm, size };
        const violations = certificateKeyStrength.check(certificateWith(key));
        if (violations.length === 0) continue;
        flagged++;
        assert.equal(privateKeySchema.safeParse(key).success, false, `${algorithm} ${size}`);
      }
      if (algorithm !== "Ed25519") assert.ok(flagged > 0, "the rule flags some sizes");
    });
  }

  it("resolves the default size the rule assumes: ECDSA 256, RSA 2048, none for Ed25519", () => {
    assert.deepEqual(
      KEY_ALGORITHMS.map((algorithm) => privateKeySchema.parse({ algorithm }).size),
      [256, 2048, undefined],
    );
  });
});
