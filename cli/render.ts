import { stringify } from "yaml";
import type { KubernetesObject } from "../components/kubernetes-object";
import { buildPlatformManifests, manifestsInApplyOrder } from "../components/platform-manifests";
import type { EgressConfig } from "../stacks/model/egress-config";
import { fluxHelmDocuments } from "./flux-helm-release";

/**
 * Every object the program deploys, in apply order, with each chart as a Flux HelmRepository +
 * HelmRelease pair. Releases depend on the charts `pulumi up` makes them wait for, so Flux installs
 * in the same order.
 */
export function renderDocuments(config: EgressConfig): KubernetesObject[] {
  const documents: KubernetesObject[] = [];
  const seenRepositories = new Set<string>();
  for (const manifest of manifestsInApplyOrder(buildPlatformManifests(config))) {
    if ("object" in manifest) {
      documents.push(manifest.object);
      continue;
    }
    const [repository, release] = fluxHelmDocuments(manifest.chart, manifest.dependsOn);
    const repositoryKey = `${repository.metadata.namespace}/${repository.metadata.name}`;
    if (!seenRepositories.has(repositoryKey)) {
      seenRepositories.add(repositoryKey);
      documents.push(repository);
    }
    documents.push(release);
  }
  return documents;
}

/** Multi-document YAML, one object per document. */
export function toMultiDocumentYaml(documents: readonly KubernetesObject[]): string {
  // No anchors or aliases for objects shared between builders: GitOps diffs and some tools mishandle them.
  return documents
    .map((doc) => `---\n${stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })}`)
    .join("");
}
