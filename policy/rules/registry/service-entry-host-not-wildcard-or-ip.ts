import { KIND, KubernetesObject } from "../../contract";
import { isAddressLiteral } from "../../mesh/address-ranges";
import { specOf, texts } from "../../mesh/object-fields";
import { ResourceRule, Violation, violation } from "../../engine/rule";

const DNS_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;

export const serviceEntryHostNotWildcardOrIp: ResourceRule = {
  name: "service-entry-host-not-wildcard-or-ip",
  description:
    "Every ServiceEntry host is one exact DNS name. A wildcard (`*`, `*.example.com`) registers a whole domain " +
    "nobody reviewed, and an IP or CIDR host bypasses DNS, so the egress registry would no longer say which " +
    "external services the cluster may reach.",
  severity: "high",
  concern: "registry",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation: "List each external service by its exact DNS name, one ServiceEntry host per name.",
  kinds: [KIND.ServiceEntry],
  scope: "resource",
  check(entry: KubernetesObject): Violation[] {
    const hosts = texts(specOf(entry).hosts);
    if (hosts.length === 0) {
      return [
        violation(entry, "declares no hosts", "name the external service's exact DNS name in spec.hosts"),
      ];
    }
    const out: Violation[] = [];
    for (const host of hosts) {
      if (host.includes("*")) {
        out.push(
          violation(
            entry,
            `host "${host}" is a wildcard and registers every name under it`,
            "replace it with the exact DNS names the tenants need",
          ),
        );
      } else if (isAddressLiteral(host)) {
        out.push(
          violation(
            entry,
            `host "${host}" is an IP address or CIDR, which skips DNS and the registry's names`,
            "register the service by its DNS name",
          ),
        );
      } else if (!DNS_NAME.test(host)) {
        out.push(
          violation(entry, `host "${host}" is not a DNS name`, "use the external service's exact DNS name"),
        );
      }
    }
    return out;
  },
};
