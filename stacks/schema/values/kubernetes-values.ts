import { z } from "zod";

/**
 * Values Kubernetes, Helm or Flux parse themselves, checked with their own grammars so a stack they
 * would reject (or misread) is refused here, at its path.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** apimachinery's qualified name: the part of a label key after an optional `prefix/`. */
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** A DNS-1123 label (a namespace or object name): at most 63 lowercase alphanumerics or '-'. */
export function isDnsLabel(value: string): boolean {
  return value.length <= 63 && DNS1123_LABEL.test(value);
}

/** A Kubernetes object or namespace name. */
export const dns1123Label = z
  .string()
  .max(63, "must be at most 63 characters")
  .regex(
    DNS1123_LABEL,
    "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric",
  );

/** A DNS subdomain, each label at most 63 characters, at most 253 in all. */
export function isDnsSubdomain(value: string): boolean {
  return (
    value.length <= 253 && value.split(".").every((label) => label.length <= 63 && DNS1123_LABEL.test(label))
  );
}

/** A label key: `[prefix/]name`, the prefix a DNS subdomain, the name at most 63 characters. */
export const labelKey = z.string().superRefine((key, ctx) => {
  const slash = key.lastIndexOf("/");
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if ((prefix !== undefined && !isDnsSubdomain(prefix)) || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    ctx.addIssue({
      code: "custom",
      message: `"${key}" is not a Kubernetes label key: [prefix/]name, the name at most 63 alphanumerics, '-', '_' or '.', the prefix a DNS subdomain`,
    });
  }
});

/** A label value: empty, or at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric. */
export const labelValue = z
  .string()
  .max(63, "a label value is at most 63 characters")
  .regex(/^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/, "not a Kubernetes label value");

/** A map of labels, as nodeSelector and matchLabels read them. */
export const labelMap = z.record(labelKey, labelValue);

/** An exact chart version (SemVer 2, optional leading v): a range would let Helm pick a new chart unreviewed. */
export const chartVersionPin = z
  .string()
  .regex(
    /^v?(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/,
    "must pin an exact chart version such as 1.30.3, not a range: a range lets Helm install a chart nobody reviewed",
  );

/** A chart repository Flux can fetch: `https://` (a Helm index) or `oci://` (a registry). */
export const chartRepository = z
  .url({ error: "must be an https:// or oci:// chart repository URL" })
  .refine((url) => /^(https|oci):\/\/[^/]/.test(url), {
    message:
      "must be an https:// or oci:// chart repository: Flux refuses file:// and plain http:// is unauthenticated",
  });

/** A chart source: repository and an exact version. */
export function chartSource(defaults: { readonly version: string; readonly repository: string }) {
  return z
    .strictObject({
      version: chartVersionPin.default(defaults.version),
      repository: chartRepository.default(defaults.repository),
    })
    .default({ ...defaults });
}

/** Helm refuses release names longer than 53 characters (its Secrets add a suffix). */
export const helmReleaseName = z
  .string()
  .max(53, "must be at most 53 characters (Helm's limit for release names)")
  .regex(
    DNS1123_LABEL,
    "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric",
  );

/** A SPIFFE trust domain: a lowercase DNS name (letters, digits, '-', '.'), as Istio and SPIFFE require. */
export const trustDomain = z
  .string()
  .refine(
    isDnsSubdomain,
    "must be a trust domain: a lowercase DNS name such as cluster.local or corp.example",
  );
