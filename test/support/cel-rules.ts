import { ASTNode, Environment } from "@marcbachmann/cel-js";
import { GoUrl, isRequestUri, parseRequestUri } from "./go-url";
import { isKubernetesCidr } from "./kubernetes-cidr";
import { StructuralSchema } from "./strict-crd-schema";

/** One entry of a schema node's `x-kubernetes-validations`. */
export interface ValidationRule {
  readonly rule: string;
  readonly message?: string;
  readonly messageExpression?: string;
  readonly fieldPath?: string;
  readonly reason?: string;
}

/** A rule compiled once: either evaluable against a node value, or skipped with the reason why. */
export type CompiledRule =
  | { readonly status: "evaluable"; readonly rule: ValidationRule; check(self: unknown): RuleVerdict }
  | { readonly status: "skipped"; readonly rule: ValidationRule; readonly reason: string };

/** `passed`, or the message the API server would return, or why evaluation itself failed. */
export type RuleVerdict =
  | { readonly passed: true }
  | { readonly passed: false; readonly message: string }
  | { readonly passed: false; readonly error: string };

/** Kubernetes' CEL URL library value (`url(s)`), backed by a port of Go's url.ParseRequestURI. */
class KubernetesUrl {
  constructor(readonly parsed: GoUrl) {}
}

let environment: Environment | undefined;

/**
 * The CEL environment of a CRD validation rule: `self` (and `oldSelf`, so transition rules parse and can be
 * recognised), plus the Kubernetes extension functions the pinned CRDs call that cel-js lacks.
 */
function celEnvironment(): Environment {
  environment ??= new Environment({ homogeneousAggregateLiterals: false })
    .registerVariable("self", "dyn")
    .registerVariable("oldSelf", "dyn")
    .registerType("kubernetes.URL", KubernetesUrl)
    .registerFunction("isURL(string): bool", (text: string) => isRequestUri(text))
    .registerFunction(
      "url(string): kubernetes.URL",
      (text: string) => new KubernetesUrl(parseRequestUri(text)),
    )
    .registerFunction("kubernetes.URL.getScheme(): string", (url: KubernetesUrl) => url.parsed.scheme)
    .registerFunction("isCIDR(string): bool", (text: string) => isKubernetesCidr(text));
  return environment;
}

const compiledRules = new Map<string, CompiledRule>();

/** Compiles a rule once per distinct rule text (the same rule recurs on hundreds of schema nodes). */
export function compileRule(rule: ValidationRule): CompiledRule {
  const key = JSON.stringify([rule.rule, rule.message, rule.messageExpression]);
  let compiled = compiledRules.get(key);
  if (!compiled) {
    compiled = compileUncached(rule);
    compiledRules.set(key, compiled);
  }
  return compiled;
}

function compileUncached(rule: ValidationRule): CompiledRule {
  let program: ReturnType<Environment["parse"]>;
  try {
    program = celEnvironment().parse(rule.rule);
  } catch (error) {
    return { status: "skipped", rule, reason: `cel-js cannot parse it: ${firstLine(error)}` };
  }
  if (referencesIdentifier(program.ast, "oldSelf")) {
    return {
      status: "skipped",
      rule,
      reason: "transition rule (reads oldSelf): only checked on update, not create",
    };
  }
  const typeCheck = program.check();
  if (!typeCheck.valid) {
    return { status: "skipped", rule, reason: `cel-js cannot type-check it: ${firstLine(typeCheck.error)}` };
  }
  const message = messageFor(rule);
  return {
    status: "evaluable",
    rule,
    check(self: unknown): RuleVerdict {
      let result: unknown;
      try {
        result = program({ self });
      } catch (error) {
        return { passed: false, error: firstLine(error) };
      }
      if (typeof result !== "boolean")
        return { passed: false, error: `rule returned ${typeof result}, not bool` };
      return result ? { passed: true } : { passed: false, message: message(self) };
    },
  };
}

// The API server prefers messageExpression, falls back to message, then to "failed rule: <rule>".
function messageFor(rule: ValidationRule): (self: unknown) => string {
  const fallback = rule.message ?? `failed rule: ${rule.rule}`;
  if (!rule.messageExpression) return () => fallback;
  try {
    const expression = celEnvironment().parse(rule.messageExpression);
    return (self) => {
      try {
        const text: unknown = expression({ self });
        return typeof text === "string" && text !== "" ? text : fallback;
      } catch {
        return fallback;
      }
    };
  } catch {
    return () => fallback;
  }
}

function referencesIdentifier(node: ASTNode, name: string): boolean {
  if (node.op === "id") return node.args === name;
  const children: unknown[] = Array.isArray(node.args) ? node.args.flat(2) : [node.args];
  return children.some((child) => isAstNode(child) && referencesIdentifier(child, name));
}

function isAstNode(value: unknown): value is ASTNode {
  return typeof value === "object" && value !== null && "op" in value && "args" in value;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0];
}

/**
 * The CEL value of a node, typed by its schema as the API server types it: integers are CEL `int` (BigInt
 * in cel-js), `number` is `double`, objects are maps. Format-typed strings (date-time, byte) stay strings:
 * no rule in the pinned CRDs reads one, and if a future one does, evaluation errors are reported, not passed.
 */
export function toCelValue(schema: StructuralSchema | undefined, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === "number")
    return schema?.type !== "number" && Number.isInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map((item) => toCelValue(schema?.items, item));
  if (typeof value === "object") {
    const additional =
      typeof schema?.additionalProperties === "object" ? schema.additionalProperties : undefined;
    return Object.fromEntries(
      Object.entries(value).map(([key, child]) => [
        key,
        toCelValue(schema?.properties?.[key] ?? additional, child),
      ]),
    );
  }
  return value;
}

/** Every rule in a schema tree (junctors included), in document order; repeats included. */
export function rulesInSchema(schema: StructuralSchema): ValidationRule[] {
  const own = (schema["x-kubernetes-validations"] ?? []) as ValidationRule[];
  const children = [
    ...Object.values(schema.properties ?? {}),
    ...(typeof schema.additionalProperties === "object" ? [schema.additionalProperties] : []),
    ...(schema.items ? [schema.items] : []),
    ...(schema.allOf ?? []),
    ...(schema.anyOf ?? []),
    ...(schema.oneOf ?? []),
    ...(schema.not ? [schema.not] : []),
  ];
  return [...own, ...children.flatMap(rulesInSchema)];
}
