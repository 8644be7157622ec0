import { KIND, KubernetesObject } from "../../contract";
import { ResourceRule, Violation, violation } from "../../engine/rule";
import { tlsSettings } from "../../mesh/destination-rule-tls";

export const destinationRuleNoInsecureSkipVerify: ResourceRule = {
  name: "destination-rule-no-insecure-skip-verify",
  description:
    "No DestinationRule sets `tls.insecureSkipVerify: true`. Skipping verification accepts any certificate, so " +
    "anyone on the path can impersonate the external service and read what the cluster sends it.",
  severity: "critical",
  concern: "tls",
  defaultEnforcement: "mandatory",
  availability: false,
  remediation:
    "Remove insecureSkipVerify and give the server's CA (caCertificates or <credentialName>-cacert) if it is private.",
  kinds: [KIND.DestinationRule],
  scope: "resource",
  check(rule: KubernetesObject): Violation[] {
    return tlsSettings(rule)
      .filter((s) => s.tls.insecureSkipVerify === true || s.tls.insecureSkipVerify === "true")
      .map((s) =>
        violation(
          rule,
          `${s.where} sets insecureSkipVerify, so the server's certificate is never verified`,
          "remove insecureSkipVerify; for a private CA set caCertificates or provide <credentialName>-cacert",
        ),
      );
  },
};
