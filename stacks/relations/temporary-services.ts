import type { BreakGlassEntry } from "../model/break-glass";
import { ConfigIssue, formatPath } from "../model/config-error";
import type { EgressConfig, ExternalServiceConfig } from "../model/egress-config";
import { externalServiceSchema } from "../schema/services";

/**
 * A `grant` entry's destination is a host not yet in the registry. While the entry is active it is
 * registered as a temporary service (`break-glass-<id>`), so the gateway routes and checks it exactly
 * as a registered one; its objects carry the entry's labels. The destination is checked with the
 * registry's own service schema. Expired entries' services are kept for the grant relation (the audit
 * judges past traffic by them), never rendered.
 */
export function temporaryServices(entries: readonly BreakGlassEntry[]): {
  readonly services: ReadonlyMap<BreakGlassEntry, ExternalServiceConfig>;
  readonly issues: ConfigIssue[];
} {
  const services = new Map<BreakGlassEntry, ExternalServiceConfig>();
  const issues: ConfigIssue[] = [];
  for (const entry of entries) {
    if (!entry.destination) continue;
    const { host, port, mode } = entry.destination;
    const parsed = externalServiceSchema.safeParse({ name: entry.service, hosts: [host], port, mode });
    if (!parsed.success) {
      const at = `breakGlass[${entry.index}].scope.grant.destination`;
      for (const issue of parsed.error.issues) {
        // The schema's hosts[0] is the entry's host; other fields keep their names.
        const [field] = issue.path;
        const path = field === "hosts" ? "host" : formatPath(issue.path);
        issues.push({ path: path ? `${at}.${path}` : at, message: issue.message });
      }
      continue;
    }
    services.set(entry, { ...parsed.data, breakGlass: entry.id });
  }
  return { services, issues };
}

/** Every service the gateway routes: the registry's, then the active break-glass entries' temporary ones. */
export function routedServices(
  config: Pick<EgressConfig, "services" | "temporaryServices">,
): readonly ExternalServiceConfig[] {
  return config.temporaryServices.length === 0
    ? config.services
    : [...config.services, ...config.temporaryServices];
}
