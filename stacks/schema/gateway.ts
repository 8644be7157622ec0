import { z } from "zod";
import { DEFAULT_GATEWAY_SERVICE } from "../../policy/contract";
import { ISTIO_CHART } from "./charts";
import { resourceList } from "./resources";
import {
  chartSource,
  dns1123Label,
  helmReleaseName,
  labelKey,
  labelMap,
  labelValue,
} from "./values/kubernetes-values";

export const spreadPolicies = ["DoNotSchedule", "ScheduleAnyway", "off"] as const;

const toleration = z
  .strictObject({
    key: labelKey.optional(),
    operator: z.enum(["Exists", "Equal"]).optional(),
    value: labelValue.optional(),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
    tolerationSeconds: z.number().int().optional(),
  })
  .superRefine((t, ctx) => {
    // Kubernetes refuses both: Exists matches any value, and only Exists may leave the key empty.
    if (t.operator === "Exists" && t.value !== undefined && t.value !== "") {
      ctx.addIssue({
        code: "custom",
        path: ["value"],
        message: "operator Exists matches any value: remove value, or use operator Equal",
      });
    }
    if (!t.key && t.operator !== "Exists") {
      ctx.addIssue({
        code: "custom",
        path: ["key"],
        message: "an empty key tolerates every taint only with operator Exists: set key, or operator: Exists",
      });
    }
  });

/** A budget that protects something: at least one pod kept (minAvailable 1+, 1%+), never all evictable (maxUnavailable below 100%). */
const disruptionBudget = z.union([
  z.strictObject({
    minAvailable: z.union([
      z.number().int().min(1),
      z.string().regex(/^([1-9][0-9]?|100)%$/, "must be a percentage from 1% to 100%"),
    ]),
  }),
  z.strictObject({
    maxUnavailable: z.union([
      z.number().int().min(1),
      z
        .string()
        .regex(/^[1-9][0-9]?%$/, "must be a percentage from 1% to 99%: 100% lets every replica go at once"),
    ]),
  }),
  z.literal(false),
]);

export const gatewaySchema = z.strictObject({
  /** Namespace of the gateway and of every gateway-side routing object. */
  namespace: dns1123Label.default("istio-egress"),
  /** Helm release name; the Service is `<releaseName>.<namespace>.svc.cluster.local`. */
  releaseName: helmReleaseName.default(DEFAULT_GATEWAY_SERVICE),
  chart: chartSource(ISTIO_CHART),
  replicas: z
    .strictObject({
      min: z.number().int().min(1).optional(),
      max: z.number().int().min(1).optional(),
    })
    .optional(),
  targetCpuUtilizationPercentage: z.number().int().min(1).max(100).optional(),
  resources: z
    .strictObject({ requests: resourceList.optional(), limits: resourceList.optional() })
    .optional(),
  podDisruptionBudget: disruptionBudget.optional(),
  spread: z
    .strictObject({
      zone: z.enum(spreadPolicies).optional(),
      node: z.enum(spreadPolicies).optional(),
    })
    .optional(),
  nodeSelector: labelMap.optional(),
  tolerations: z.array(toleration).optional(),
  /** Namespaces (e.g. monitoring) allowed to scrape the gateway's metrics port. */
  scrapeFromNamespaces: z.array(dns1123Label).default([]),
});

export type ParsedGateway = z.output<typeof gatewaySchema>;
