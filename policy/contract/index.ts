// The vocabulary the program and the policy pack share; the pack owns it so it never imports the program.
export * from "./annotations";
export * from "./certificate-duration";
export * from "./cluster-scoped-kinds";
export * from "./egress-gateway";
export * from "./go-duration";
export * from "./internal-headers";
export * from "./internal-ranges";
export * from "./key-strength";
export * from "./kinds";
export * from "./kubernetes-object";
export * from "./labels";
export * from "./cluster-dns";
export * from "./proxy-ports";
export * from "./rate-limits";
export * from "./server-roots-secret";
export * from "./break-glass";
