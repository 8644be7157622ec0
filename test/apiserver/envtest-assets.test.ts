import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { locateEnvtestAssets } from "../support/envtest/assets";

describe("finding the API server's binaries", () => {
  const emptyDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "mesh-egress-assets-"));

  it("uses KUBEBUILDER_ASSETS when set, and says which binaries it lacks", () => {
    const dir = emptyDir();
    fs.writeFileSync(path.join(dir, "kube-apiserver"), "", { mode: 0o755 });
    const assets = locateEnvtestAssets({ KUBEBUILDER_ASSETS: dir, PATH: "" });
    assert.deepEqual(assets, { available: false, reason: `KUBEBUILDER_ASSETS=${dir} lacks etcd, kubectl` });
    fs.rmSync(dir, { recursive: true });
  });

  it("takes all three from a complete KUBEBUILDER_ASSETS directory", () => {
    const dir = emptyDir();
    for (const binary of ["kube-apiserver", "etcd", "kubectl"]) {
      fs.writeFileSync(path.join(dir, binary), "", { mode: 0o755 });
    }
    const assets = locateEnvtestAssets({ KUBEBUILDER_ASSETS: dir, PATH: "" });
    assert.ok(assets.available);
    assert.equal(assets.binaries("/unused").etcd, path.join(dir, "etcd"));
    fs.rmSync(dir, { recursive: true });
  });

  it("is unavailable, saying why, when etcd is on no PATH and KUBEBUILDER_ASSETS is unset", () => {
    const dir = emptyDir();
    const assets = locateEnvtestAssets({ PATH: dir });
    fs.rmSync(dir, { recursive: true });
    assert.equal(assets.available, false);
    assert.match(assets.available ? "" : assets.reason, /etcd|not found/);
  });
});
