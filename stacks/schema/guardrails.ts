import { z } from "zod";

export const validationActions = ["Deny", "Warn", "Audit"] as const;
export type ValidationAction = (typeof validationActions)[number];

/** Admission guardrails; validationActions defaults to the tier baseline (model/baselines.ts). */
export const guardrailsSchema = z.strictObject({
  enabled: z.boolean().default(true),
  validationActions: z
    .array(z.enum(validationActions, { error: `must be one of ${validationActions.join(", ")}` }))
    .min(1, "list at least one action")
    .refine((actions) => new Set(actions).size === actions.length, "must not repeat an action")
    .refine(
      (actions) => !(actions.includes("Deny") && actions.includes("Warn")),
      "Deny and Warn cannot be combined (the API server refuses the binding): use [Deny] or [Warn, Audit]",
    )
    .optional(),
  /** Who may create break-glass `direct` NetworkPolicies past the guardrails: usernames or groups. */
  breakGlassRequesters: z.array(z.string().trim().min(1, "must not be empty")).optional(),
  /**
   * Who deploys the platform (CI's or Pulumi's service account `system:serviceaccount:<ns>:<name>`, a user, or a
   * group): the only identities, besides system:masters, that may change or delete what it renders into tenant
   * namespaces and the tenant labels of their Namespaces.
   */
  platformIdentities: z
    .array(z.string().trim().min(1, "must not be empty: name a user, service account or group"))
    .refine((ids) => new Set(ids).size === ids.length, "must not repeat an identity")
    .optional(),
});

export type ParsedGuardrails = z.output<typeof guardrailsSchema>;
