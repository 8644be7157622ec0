import * as pulumi from "@pulumi/pulumi";
import { PULUMI_SECRET_KEYS_ANNOTATION } from "../../policy/contract";
import { childName, registerKubernetesObject, upstreamOf } from "./register-manifests";
import { RateLimitManifests } from "../rate-limits";

export interface RateLimitsArgs {
  /** What `buildRateLimitManifests` built: the EnvoyFilters and, when enabled, the global limiter. */
  readonly manifests: RateLimitManifests;
  /** The decrypted Redis URL for the limiter's Secret (an existing Redis only). Default: none. */
  readonly redisUrl?: Readonly<Record<string, string>>;
  /** Resources every object waits for: the gateway chart. Default: none. */
  readonly after?: readonly pulumi.Resource[];
}

/** Per-tenant egress rate limits at the gateway (local, and optionally global). */
export class RateLimits extends pulumi.ComponentResource {
  constructor(name: string, args: RateLimitsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:RateLimits", name, {}, opts);
    const dependsOn = [...upstreamOf(opts), ...(args.after ?? [])];
    for (const object of args.manifests.objects) {
      const secretData =
        object.kind === "Secret" && object.metadata.annotations?.[PULUMI_SECRET_KEYS_ANNOTATION]
          ? args.redisUrl
          : undefined;
      registerKubernetesObject(childName(name, object), object, { parent: this, dependsOn }, secretData);
    }
    this.registerOutputs({});
  }
}
