import { z } from "zod";
import { breakGlassEntrySchema, breakGlassMaxHoursSchema } from "./schema/break-glass";
import { certManagerSchema } from "./schema/cert-manager";
import { clusterSchema } from "./schema/cluster";
import { controlPlaneSchema } from "./schema/control-plane";
import { environmentSchema } from "./schema/environment";
import { gatewaySchema } from "./schema/gateway";
import { guardrailsSchema } from "./schema/guardrails";
import { issuerSchema } from "./schema/issuers";
import { rateLimitsSchema } from "./schema/rate-limits";
import { externalServiceSchema } from "./schema/services";
import { tenantSchema } from "./schema/tenants";

/**
 * The schema of a stack's `mesh-egress:*` configuration, one file per section under `schema/`. Every
 * object is strict: a misspelt key is an error, never silently ignored. Fields that a tier baseline fills
 * are optional here and resolved in `model/baselines.ts`. Checks within one object (mode and tls, key
 * strength, lifetimes, issuer source) are in the sections, so their errors name their paths;
 * cross-references (tenant → service, duplicates, baseline-resolved values) are checked in `validation/`.
 */

/** Every `mesh-egress:<key>` a stack may set. */
export const stackConfigSchema = z.strictObject({
  environment: environmentSchema,
  gateway: gatewaySchema.default(gatewaySchema.parse({})),
  controlPlane: controlPlaneSchema.default(controlPlaneSchema.parse({})),
  cluster: clusterSchema.default(clusterSchema.parse({})),
  certManager: certManagerSchema.default(certManagerSchema.parse({})),
  issuers: z.array(issuerSchema).default([]),
  services: z.array(externalServiceSchema).default([]),
  tenants: z.array(tenantSchema).default([]),
  rateLimits: rateLimitsSchema.prefault({}),
  guardrails: guardrailsSchema.default({ enabled: true }),
  breakGlass: z.array(breakGlassEntrySchema).default([]),
  breakGlassMaxHours: breakGlassMaxHoursSchema.optional(),
});

export type StackConfigInput = z.input<typeof stackConfigSchema>;
export type ParsedStackConfig = z.output<typeof stackConfigSchema>;
