import type { EgressConfig } from "../stacks/model/egress-config";
import { allowedTenants } from "../stacks/relations/grants";

/** One entry of the registry summary exported by the stack. */
export interface RegistryEntry {
  readonly name: string;
  readonly hosts: string[];
  readonly port: number;
  readonly mode: string;
  readonly tenants: string[];
}

/** The registry as auditors read it: every external service, how it is reached, and by whom. */
export function registrySummary(config: EgressConfig): RegistryEntry[] {
  // Temporary services of break-glass grants are exceptions, listed under breakGlass, not the registry.
  return config.services.map((s) => ({
    name: s.name,
    hosts: [...s.hosts],
    port: s.port,
    mode: s.mode,
    tenants: allowedTenants(s, config),
  }));
}
