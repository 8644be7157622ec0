import {
  HTTP_GLOBAL_RATE_LIMIT,
  HTTP_LOCAL_RATE_LIMIT,
  KIND,
  KubernetesObject,
  NETWORK_LOCAL_RATE_LIMIT,
} from "../contract";
import { policyAppliesToGateway } from "./mesh-queries";
import { MeshTopology } from "./mesh-topology";
import { dig, Fields, fields, fieldsList, ofKind, specOf, text } from "./object-fields";
import { typedConfigOf } from "./typed-config";

/** The typed_config type of each rate-limit filter, by the filter's name. */
export const TYPE_NAMES: Readonly<Record<string, string>> = {
  [HTTP_LOCAL_RATE_LIMIT]: "envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit",
  [NETWORK_LOCAL_RATE_LIMIT]: "envoy.extensions.filters.network.local_ratelimit.v3.LocalRateLimit",
  [HTTP_GLOBAL_RATE_LIMIT]: "envoy.extensions.filters.http.ratelimit.v3.RateLimit",
};

/** A filter an EnvoyFilter patch adds, with where it goes. */
export interface AddedFilter {
  readonly filter: KubernetesObject;
  readonly index: number;
  readonly kind: string;
  readonly typedConfig?: Fields;
  readonly sni?: string;
}

/** Filters the patches add, recognised by name or by their typed_config's type (through a TypedStruct wrapper). */
export function addedFilters(filter: KubernetesObject, kind: string): AddedFilter[] {
  const out: AddedFilter[] = [];
  fieldsList(specOf(filter).configPatches).forEach((patch, index) => {
    const value = fields(dig(patch, "patch", "value"));
    const typed = typedConfigOf(value);
    const type = typed?.type ?? "";
    if (text(value.name) !== kind && !type.endsWith(`/${TYPE_NAMES[kind]}`)) return;
    const sni = text(dig(patch, "match", "listener", "filterChain", "sni"));
    out.push({
      filter,
      index,
      kind,
      ...(typed !== undefined ? { typedConfig: typed.config } : {}),
      ...(sni ? { sni } : {}),
    });
  });
  return out;
}

/** The EnvoyFilters that apply to the egress gateway. */
export function gatewayFilters(objects: readonly KubernetesObject[], mesh: MeshTopology): KubernetesObject[] {
  return ofKind(objects, KIND.EnvoyFilter).filter((f) =>
    policyAppliesToGateway(mesh, f, dig(f.spec, "workloadSelector", "labels")),
  );
}

/** Whether a RuntimeFractionalPercent is 100 % (Envoy's default for these fields is 0 %). */
export function isHundredPercent(value: unknown): boolean {
  const percent = fields(dig(value, "default_value") ?? dig(value, "defaultValue"));
  const denominator = text(percent.denominator) ?? "HUNDRED";
  const full = { HUNDRED: 100, TEN_THOUSAND: 10000, MILLION: 1000000 }[denominator];
  return full !== undefined && percent.numerator === full;
}

/** Why an HTTP local rate limit would not limit anything; undefined when it does. */
export function notEnforcing(config: Fields): string | undefined {
  const get = (snake: string, camel: string) => config[snake] ?? config[camel];
  const problems: string[] = [];
  if (!isHundredPercent(get("filter_enabled", "filterEnabled"))) problems.push("filter_enabled is not 100 %");
  if (!isHundredPercent(get("filter_enforced", "filterEnforced")))
    problems.push("filter_enforced is not 100 %");
  return problems.length > 0 ? problems.join(", ") : undefined;
}
