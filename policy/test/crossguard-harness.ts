import {
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
  unknownCheckingProxy,
  UnknownValueError,
} from "@pulumi/policy";
import { KubernetesObject } from "../contract";

/**
 * Calls policies the way @pulumi/policy 1.21's analyzer server does (server.js makeAnalyzeRpcFun /
 * makeAnalyzeStackRpcFun): props behind `unknownCheckingProxy`, frozen `stackTags`, `notApplicable`
 * throwing, an `UnknownValueError` turned into an advisory "can't run policy during preview" diagnostic.
 */

// The engine's sentinels for values unknown at preview; internal to @pulumi/policy, so not in its typings.
const sentinels = require("@pulumi/policy/proxy") as Record<string, string>;
export const UNKNOWN = {
  string: sentinels.unknownStringValue as string,
  array: sentinels.unknownArrayValue as string,
  object: sentinels.unknownObjectValue as string,
};

class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}

export const STACK_TAGS: ReadonlyMap<string, string> = new Map([
  ["pulumi:project", "mesh-egress"],
  ["pulumi:runtime", "nodejs"],
  ["environment", "prod"],
]);

const OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

export interface Outcome {
  violations: { message: string; urn?: string }[];
  notApplicable?: string;
  /** The advisory diagnostic the engine reports instead of running a policy that read an unknown value. */
  advisory?: string;
}

/** A Pulumi resource as the engine describes it to an analyzer. */
export interface EngineResource {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

/** The type token @pulumi/kubernetes registers an object under: kubernetes:<group/version>:<Kind>. */
export function typeToken(object: KubernetesObject): string {
  const apiVersion = object.apiVersion.includes("/") ? object.apiVersion : `core/${object.apiVersion}`;
  return `kubernetes:${apiVersion}:${object.kind}`;
}

/** A Kubernetes object as a Pulumi resource; the resource name differs from metadata.name, as in the program. */
export function asEngineResource(object: KubernetesObject): EngineResource {
  const name = `${object.metadata.namespace ? `${object.metadata.namespace}-` : ""}${object.metadata.name}-${object.kind.toLowerCase()}`;
  return { type: typeToken(object), name, props: JSON.parse(JSON.stringify(object)) };
}

export const urnOf = (r: EngineResource): string => `urn:pulumi:prod::mesh-egress::${r.type}::${r.name}`;

async function capture(outcome: Outcome, run: () => Promise<void> | void): Promise<void> {
  try {
    await run();
  } catch (e) {
    if (e instanceof UnknownValueError)
      outcome.advisory = `can't run policy during preview: ${(e as Error).message}`;
    else if (e instanceof NotApplicableError) outcome.notApplicable = e.reason ?? "";
    else throw e;
  }
}

export async function runResourcePolicy(
  policy: ResourceValidationPolicy,
  resource: EngineResource,
): Promise<Outcome> {
  const outcome: Outcome = { violations: [] };
  const props = unknownCheckingProxy(resource.props) as Record<string, unknown>;
  const args: ResourceValidationArgs = {
    type: resource.type,
    props,
    urn: urnOf(resource),
    name: resource.name,
    opts: OPTIONS,
    stackTags: STACK_TAGS,
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicableError(reason);
    },
  };
  const validations = Array.isArray(policy.validateResource)
    ? policy.validateResource
    : [policy.validateResource];
  for (const validate of validations) {
    await capture(outcome, () => validate?.(args, (message) => outcome.violations.push({ message })));
  }
  return outcome;
}

export async function runStackPolicy(
  policy: StackValidationPolicy,
  resources: EngineResource[],
): Promise<Outcome> {
  const outcome: Outcome = { violations: [] };
  const policyResources: PolicyResource[] = resources.map((r) => ({
    type: r.type,
    props: unknownCheckingProxy(r.props) as Record<string, unknown>,
    urn: urnOf(r),
    name: r.name,
    opts: OPTIONS,
    dependencies: [],
    propertyDependencies: {},
    isType: () => false,
    asType: () => undefined,
  }));
  const args: StackValidationArgs = {
    resources: policyResources,
    stackTags: STACK_TAGS,
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: (reason?: string): never => {
      throw new NotApplicableError(reason);
    },
  };
  await capture(outcome, () =>
    policy.validateStack(args, (message, urn) =>
      outcome.violations.push({ message, ...(urn ? { urn } : {}) }),
    ),
  );
  return outcome;
}
