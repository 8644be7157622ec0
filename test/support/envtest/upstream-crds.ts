import * as fs from "fs";
import * as path from "path";

/** The CRD sets the program's objects need, as directories of the upstream schema set. */
const CRD_SOURCES: readonly { readonly dir: string; readonly file: RegExp }[] = [
  { dir: "istio-1.30.3", file: /^crd-all\.gen\.yaml$/ },
  { dir: "cert-manager-v1.21.1", file: /\.yaml$/ },
  { dir: "prometheus-operator-v0.93.0", file: /\.yaml$/ },
  { dir: "flux", file: /\.yaml$/ },
  // The cluster-wide egress lock (cluster.lockAllNamespaces) is an AdminNetworkPolicy.
  { dir: "network-policy-api", file: /^v0\.1\.8_adminnetworkpolicies\.yaml$/ },
];

/** The CRD files to install: Istio, cert-manager, Prometheus Operator, Flux and AdminNetworkPolicy, from `../shared/upstream`. */
export function upstreamCrdFiles(schemasDir: string): string[] {
  return CRD_SOURCES.flatMap(({ dir, file }) => {
    const full = path.join(schemasDir, dir);
    if (!fs.existsSync(full)) throw new Error(`CRD directory ${full} is missing from the upstream set`);
    return fs
      .readdirSync(full)
      .filter((name) => file.test(name))
      .sort()
      .map((name) => path.join(full, name));
  });
}
