import * as fs from "fs";
import * as path from "path";
import Ajv, { ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import YAML from "yaml";
import type { HelmChartSpec } from "../../components/kubernetes-object";
import { ConformanceOutcome, SchemaIssue } from "./conformance-outcome";
import { coalesceValues } from "./helm-values-coalesce";
import { issuesFromAjvErrors, RE2_REGEXP_ENGINE } from "./kubernetes-ajv";

/** A chart's values.schema.json in the upstream schema set, and its values.yaml when the set has it. */
export interface ChartValuesSchema {
  readonly chart: string;
  readonly version: string;
  readonly schemaFile: string;
  readonly defaultsFile?: string;
}

/** The charts whose values schemas the upstream schema set holds (see its PROVENANCE.md). */
export function upstreamChartSchemas(schemasDir: string): ChartValuesSchema[] {
  return [
    {
      chart: "gateway",
      version: "1.30.3",
      schemaFile: path.join(schemasDir, "istio-1.30.3", "gateway-values.schema.json"),
      defaultsFile: path.join(schemasDir, "istio-1.30.3", "gateway-values.yaml"),
    },
    // No values.yaml here: user values are checked alone, which this schema makes equivalent (it has no
    // required/oneOf/dependencies and its defaults conform), except that a user null is an error here.
    {
      chart: "cert-manager",
      version: "v1.21.1",
      schemaFile: path.join(schemasDir, "cert-manager-v1.21.1", "values.schema.json"),
    },
  ];
}

/**
 * The errors `helm install` would report for these values: Helm validates the chart's values.yaml
 * coalesced with the user's values (chartutil.ToRenderValues), not the user's values alone.
 */
export function validateChartValues(
  schemaFile: string,
  values: Record<string, unknown>,
  defaultsFile?: string,
): SchemaIssue[] {
  const validate = compiledValuesSchema(schemaFile);
  const merged = defaultsFile ? coalesceValues(chartDefaults(defaultsFile), values) : values;
  return validate(merged) ? [] : issuesFromAjvErrors(validate.errors);
}

/** The verdict on one chart the program installs: its values against the pinned chart's schema. */
export function checkChartValues(schemasDir: string, chart: HelmChartSpec): ConformanceOutcome {
  const subject = `chart ${chart.chart} ${chart.version} (release ${chart.namespace}/${chart.releaseName})`;
  const schema = upstreamChartSchemas(schemasDir).find(
    (candidate) => candidate.chart === chartName(chart.chart),
  );
  if (!schema) {
    return {
      status: "skipped",
      subject,
      reason: `no values.schema.json for chart "${chart.chart}" in the upstream schema set`,
    };
  }
  if (withoutV(chart.version) !== withoutV(schema.version)) {
    const message = `chart pinned at ${chart.version} but the upstream schemas are for ${schema.version}: align them`;
    return { status: "failed", subject, issues: [{ path: "version", message }], unevaluatedRules: [] };
  }
  const issues = validateChartValues(schema.schemaFile, chart.values, schema.defaultsFile);
  return issues.length > 0
    ? { status: "failed", subject, issues, unevaluatedRules: [] }
    : { status: "validated", subject, unevaluatedRules: [] };
}

const compiledSchemas = new Map<string, ValidateFunction>();
const defaultsByFile = new Map<string, Record<string, unknown>>();

function compiledValuesSchema(schemaFile: string): ValidateFunction {
  let validate = compiledSchemas.get(schemaFile);
  if (!validate) {
    // validateSchema off: the gateway schema's "$schema" is the unversioned json-schema.org/schema#.
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      verbose: true,
      validateSchema: false,
      code: { regExp: RE2_REGEXP_ENGINE },
    });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(fs.readFileSync(schemaFile, "utf8")));
    compiledSchemas.set(schemaFile, validate);
  }
  return validate;
}

function chartDefaults(defaultsFile: string): Record<string, unknown> {
  let defaults = defaultsByFile.get(defaultsFile);
  if (!defaults) {
    defaults = (YAML.parse(fs.readFileSync(defaultsFile, "utf8")) ?? {}) as Record<string, unknown>;
    defaultsByFile.set(defaultsFile, defaults);
  }
  return defaults;
}

// "istio/gateway" and "oci://…/gateway" name the same chart as "gateway".
function chartName(chart: string): string {
  return chart.slice(chart.lastIndexOf("/") + 1);
}

function withoutV(version: string): string {
  return version.replace(/^v/, "");
}
