import { z } from "zod";
import { DEFAULT_ROOT_NAMESPACE } from "../../policy/contract";
import { ISTIO_CHART } from "./charts";
import { chartSource, dns1123Label, trustDomain } from "./values/kubernetes-values";

export const controlPlaneSchema = z.strictObject({
  /** Install Istio base + istiod (clusters the stack owns), or use the Istio already there. */
  install: z.boolean().default(false),
  namespace: dns1123Label.default(DEFAULT_ROOT_NAMESPACE),
  chart: chartSource(ISTIO_CHART),
  /** The mesh trust domain, used in SPIFFE identities. */
  trustDomain: trustDomain.default("cluster.local"),
  /** Revision of a revisioned control plane: namespaces get `istio.io/rev`, the gateway chart `revision`. */
  revision: dns1123Label.optional(),
  /**
   * The mesh runs Istio CNI (no privileged istio-init in tenant pods): tenant namespaces then carry Pod Security
   * `enforce` labels. With install, the stack installs it; without, it is a prerequisite the report shows.
   */
  cni: z.boolean().default(false),
  /** The proxy image the injector uses (istio-init, istio-proxy); default docker.io/istio/proxyv2:<chart version>. */
  proxyImage: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._/:@-]*$/, "must be an image reference such as docker.io/istio/proxyv2:1.30.3")
    .optional(),
});
