import { NAMESPACE_NAME_LABEL } from "../contract";
import { Fields, fields, fieldsList, stringMap, text, texts } from "./object-fields";

/**
 * Whether a NetworkPolicy peer's namespaceSelector selects the namespace of that name, judged on the name
 * label alone; a requirement on any other label makes the answer unknowable here, so it counts as no.
 */
export function selectsNamespace(peer: Fields, namespace: string): boolean {
  if (!("namespaceSelector" in peer)) return false;
  const selector = fields(peer.namespaceSelector);
  const labels = stringMap(selector.matchLabels);
  for (const [key, value] of Object.entries(labels)) {
    if (key !== NAMESPACE_NAME_LABEL || value !== namespace) return false;
  }
  return fieldsList(selector.matchExpressions).every((requirement) => {
    if (text(requirement.key) !== NAMESPACE_NAME_LABEL) return false;
    const values = texts(requirement.values);
    switch (text(requirement.operator)) {
      case "In":
        return values.includes(namespace);
      case "NotIn":
        return !values.includes(namespace);
      case "Exists":
        return true;
      default:
        return false;
    }
  });
}

/** Namespaces a peer names outright (`matchLabels` on the name label). */
export function namespacesNamedBy(peer: Fields): string[] {
  const name = stringMap(fields(peer.namespaceSelector).matchLabels)[NAMESPACE_NAME_LABEL];
  return name === undefined ? [] : [name];
}
