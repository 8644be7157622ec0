/**
 * Kinds the API server keeps outside any namespace. Every other kind is namespaced: `kubectl apply` puts
 * an object of it that names no namespace into the current one, and so does `mesh-egress lint`.
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "PriorityClass",
  "RuntimeClass",
  "CSIDriver",
  "CSINode",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "MutatingAdmissionPolicy",
  "MutatingAdmissionPolicyBinding",
  "IngressClass",
  "GatewayClass",
  "ClusterIssuer",
  "ClusterPolicy",
  "AdminNetworkPolicy",
  "BaselineAdminNetworkPolicy",
  "CiliumClusterwideNetworkPolicy",
  "GlobalNetworkPolicy",
  "GlobalNetworkSet",
  "List",
]);

/** The namespace `kubectl apply` uses when neither the object nor the command names one. */
export const DEFAULT_NAMESPACE = "default";

/** The cluster DNS domain unless the cluster is configured otherwise (kubelet `--cluster-domain`). */
export const DEFAULT_CLUSTER_DOMAIN = "cluster.local";
