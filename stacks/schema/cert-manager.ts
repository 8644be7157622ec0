import { z } from "zod";
import { CERT_MANAGER_CHART } from "./charts";
import { resourceList } from "./resources";
import { chartSource, dns1123Label } from "./values/kubernetes-values";

const componentSizing = z.strictObject({
  replicas: z.number().int().min(1).optional(),
  resources: z
    .strictObject({ requests: resourceList.optional(), limits: resourceList.optional() })
    .optional(),
});

export const certManagerSchema = z
  .strictObject({
    /** Install cert-manager (CRDs included), or use the cert-manager already in the cluster. */
    install: z.boolean().default(false),
    /** Where cert-manager runs; also where ClusterIssuers keep their Secrets. */
    namespace: dns1123Label.default("cert-manager"),
    chart: chartSource(CERT_MANAGER_CHART),
    /** The existing controller's ServiceAccount (install: false); Vault issuers grant it token requests. */
    serviceAccountName: dns1123Label.optional(),
    controller: componentSizing.optional(),
    webhook: componentSizing.optional(),
    cainjector: componentSizing.optional(),
  })
  .superRefine((value, ctx) => {
    if (!value.install) {
      for (const part of ["controller", "webhook", "cainjector"] as const) {
        if (value[part]) {
          ctx.addIssue({
            code: "custom",
            path: [part],
            message:
              "sizing applies only to a cert-manager this stack installs: set install: true or remove it",
          });
        }
      }
    } else if (value.serviceAccountName) {
      ctx.addIssue({
        code: "custom",
        path: ["serviceAccountName"],
        message:
          "names the ServiceAccount of a cert-manager the stack does not install; with install: true the chart's own (cert-manager) is used: remove it",
      });
    }
  });

export type ParsedCertManager = z.output<typeof certManagerSchema>;
