import * as pulumi from "@pulumi/pulumi";
import { KubernetesObject } from "../kubernetes-object";
import { registerManifests, upstreamOf } from "./register-manifests";

export interface AdmissionGuardrailsArgs {
  /** What `buildAdmissionGuardrailManifests` built: policies and their bindings. */
  readonly objects: readonly KubernetesObject[];
  /** Resources every policy waits for: the control plane's CRDs when the stack installs them. Default: none. */
  readonly after?: readonly pulumi.Resource[];
}

/** The cluster-side half of the guardrails: admission policies that keep holding after `pulumi up`. */
export class AdmissionGuardrails extends pulumi.ComponentResource {
  /** Names of the ValidatingAdmissionPolicies deployed. */
  public readonly policyNames: pulumi.Output<string[]>;

  constructor(name: string, args: AdmissionGuardrailsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("mesh-egress:index:AdmissionGuardrails", name, {}, opts);
    const { objects } = args;
    // Each binding names its policy: register policies first so a binding never points at nothing.
    const policies = registerManifests(
      name,
      objects.filter((o) => o.kind === "ValidatingAdmissionPolicy"),
      { parent: this, dependsOn: [...upstreamOf(opts), ...(args.after ?? [])] },
    );
    registerManifests(
      name,
      objects.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding"),
      { parent: this, dependsOn: policies },
    );
    this.policyNames = pulumi.output(
      objects.filter((o) => o.kind === "ValidatingAdmissionPolicy").map((o) => o.metadata.name),
    );
    this.registerOutputs({ policyNames: this.policyNames });
  }
}
