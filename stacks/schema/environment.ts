import { z } from "zod";

/** The tier a stack deploys to: it picks the baselines (model/baselines.ts) and what is refused. */
export const environmentSchema = z.enum(["dev", "prod"], { error: "must be dev or prod" });
export type Environment = z.output<typeof environmentSchema>;
