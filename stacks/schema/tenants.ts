import { z } from "zod";
import { DEFAULT_TENANT_POD_SECURITY, POD_SECURITY_LEVELS } from "../../policy/contract";
import { dns1123Label } from "./values/kubernetes-values";

export const tenantSchema = z.strictObject({
  namespace: dns1123Label,
  description: z.string().optional(),
  /** Names of the external services this namespace may reach. */
  allow: z.array(dns1123Label).default([]),
  /** The Pod Security Standard its namespace enforces when the mesh runs Istio CNI: baseline, or raised to restricted. */
  podSecurity: z
    .enum(POD_SECURITY_LEVELS, {
      error: `must be ${POD_SECURITY_LEVELS.join(" or ")} (privileged would let pods leave the mesh): remove it for baseline`,
    })
    .default(DEFAULT_TENANT_POD_SECURITY),
});
