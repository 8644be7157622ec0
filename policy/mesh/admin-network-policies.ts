import { AddressRange, parseCidr } from "./address-ranges";
import { Fields, fieldsList, texts } from "./object-fields";

/**
 * Readers of the network-policy API's cluster-wide policies (AdminNetworkPolicy, BaselineAdminNetworkPolicy,
 * policy.networking.k8s.io/v1alpha1): what an egress rule's peers name as addresses.
 */

/** Every CIDR an egress rule's `networks` peers name, as written (pods and namespaces peers name none). */
export function ruleNetworkCidrs(rule: Fields): string[] {
  return fieldsList(rule.to).flatMap((peer) => texts(peer.networks));
}

/** The address ranges an egress rule's `networks` peers name; a CIDR that does not parse is left out. */
export function ruleNetworks(rule: Fields): AddressRange[] {
  return ruleNetworkCidrs(rule)
    .map(parseCidr)
    .filter((r): r is AddressRange => r !== undefined);
}

/** The fully qualified names an egress rule's `domainNames` peers name (the API's experimental channel). */
export function ruleDomainNames(rule: Fields): string[] {
  return fieldsList(rule.to).flatMap((peer) => texts(peer.domainNames));
}
