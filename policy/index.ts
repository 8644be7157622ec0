import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Constructing the pack starts CrossGuard's gRPC server: nothing else in this package does so.
new PolicyPack("egress-guardrails", { policies });
