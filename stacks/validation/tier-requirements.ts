import type { EgressConfig } from "../model/egress-config";
import { modesWhere, traitsOf } from "../routing-modes";

type AddIssue = (path: string, message: string) => void;

/**
 * What prod refuses that dev tolerates. A mode without the caller's identity at the gateway cannot be
 * scoped to tenants: its admission lets in every tenant the gateway's NetworkPolicy admits (all of them).
 */
export function validateTierRequirements(config: EgressConfig, add: AddIssue): void {
  if (config.environment !== "prod") return;
  const scoped = modesWhere((traits) => traits.identityAtGateway && traits.origination === "none");
  config.services.forEach((service, i) => {
    if (traitsOf(service).identityAtGateway) return;
    add(
      `services[${i}].mode`,
      `${service.mode} cannot be scoped to tenants in prod: the gateway sees no caller identity, so every tenant reaches "${service.name}" (by bypassing its sidecar, or with its own ServiceEntry + VirtualService to the gateway); use mode ${scoped.join(" or ")} (the app keeps its own TLS, the gateway authorizes each tenant)`,
    );
  });
}
