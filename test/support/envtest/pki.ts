import { execFileSync } from "child_process";
import { generateKeyPairSync } from "crypto";
import * as fs from "fs";
import * as path from "path";

/** Files of the test cluster's own PKI, all under one directory. */
export interface EnvtestPki {
  readonly caCert: string;
  readonly serverCert: string;
  readonly serverKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  readonly serviceAccountPublicKey: string;
  readonly serviceAccountPrivateKey: string;
}

/**
 * A throwaway CA, the server's certificate for 127.0.0.1 and an admin client certificate in
 * `system:masters` (RBAC lets that group do anything). Keys come from Node; openssl signs, since
 * Node cannot issue certificates.
 */
export function createEnvtestPki(dir: string): EnvtestPki {
  const file = (name: string) => path.join(dir, name);
  const writeKey = (name: string) => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    fs.writeFileSync(file(name), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    return file(name);
  };
  const openssl = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

  const caKey = writeKey("ca.key");
  openssl([
    ...["req", "-x509", "-new", "-key", caKey, "-subj", "/CN=mesh-egress-envtest-ca", "-days", "2"],
    ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ...["-out", file("ca.crt")],
  ]);
  const issue = (name: string, subject: string, extensions: string[]) => {
    const key = writeKey(`${name}.key`);
    openssl([
      ...["req", "-new", "-key", key, "-subj", subject, "-days", "2", "-CA", file("ca.crt")],
      ...["-CAkey", caKey, ...extensions.flatMap((e) => ["-addext", e]), "-out", file(`${name}.crt`)],
    ]);
    return { cert: file(`${name}.crt`), key };
  };
  const server = issue("server", "/CN=kube-apiserver", [
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
    "extendedKeyUsage=serverAuth",
  ]);
  const admin = issue("admin", "/O=system:masters/CN=envtest-admin", ["extendedKeyUsage=clientAuth"]);

  const serviceAccount = generateKeyPairSync("rsa", { modulusLength: 2048 });
  fs.writeFileSync(file("sa.pub"), serviceAccount.publicKey.export({ type: "spki", format: "pem" }));
  fs.writeFileSync(file("sa.key"), serviceAccount.privateKey.export({ type: "pkcs8", format: "pem" }), {
    mode: 0o600,
  });
  return {
    caCert: file("ca.crt"),
    serverCert: server.cert,
    serverKey: server.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountPublicKey: file("sa.pub"),
    serviceAccountPrivateKey: file("sa.key"),
  };
}
