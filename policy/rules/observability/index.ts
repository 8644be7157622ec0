import { gatewayAccessLoggingNotDisabled } from "./gateway-access-logging-not-disabled";
import { gatewayAccessLoggingConfigured } from "./gateway-access-logging-configured";
import { gatewayAccessLogRecordsCaller } from "./gateway-access-log-records-caller";
import { tenantTelemetryKeepsMetricsAndLogs } from "./tenant-telemetry-keeps-metrics-and-logs";
import { Rule } from "../../engine/rule";

/** The observability rules, in catalog order (docs/reference/rules.md and CrossGuard list them so). */
export const observabilityRules: readonly Rule[] = [
  gatewayAccessLoggingNotDisabled,
  gatewayAccessLoggingConfigured,
  gatewayAccessLogRecordsCaller,
  tenantTelemetryKeepsMetricsAndLogs,
];
