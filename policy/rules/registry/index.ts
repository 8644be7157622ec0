import { serviceEntryHostNotWildcardOrIp } from "./service-entry-host-not-wildcard-or-ip";
import { serviceEntryResolutionNotNone } from "./service-entry-resolution-not-none";
import { serviceEntryExportScoped } from "./service-entry-export-scoped";
import { serviceEntryAddressesInternalOnly } from "./service-entry-addresses-internal-only";
import { serviceEntryInPlatformNamespace } from "./service-entry-in-platform-namespace";
import { controlPlaneRegistryOnly } from "./control-plane-registry-only";
import { pinnedServiceEntryStatic } from "./pinned-service-entry-static";
import { tenantWorkloadEntriesInCluster } from "./tenant-workload-entries-in-cluster";
import { Rule } from "../../engine/rule";

/** The registry rules, in catalog order (docs/reference/rules.md and CrossGuard list them so). */
export const registryRules: readonly Rule[] = [
  serviceEntryHostNotWildcardOrIp,
  serviceEntryResolutionNotNone,
  serviceEntryExportScoped,
  serviceEntryAddressesInternalOnly,
  serviceEntryInPlatformNamespace,
  controlPlaneRegistryOnly,
  pinnedServiceEntryStatic,
  tenantWorkloadEntriesInCluster,
];
