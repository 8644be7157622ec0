/**
 * Kubernetes (and Helm) evaluate `pattern` with Go's RE2; JavaScript lacks RE2's leading inline flags
 * (`^(?i)(abort|warn)?$` in cert-manager's CRDs). This lifts `(?i)`, `(?s)`, `(?m)` groups into RegExp flags.
 * A flag group in the middle of a pattern is applied to the whole pattern: it can only accept more, never less,
 * than RE2 for the case-insensitive flag, which no pinned schema uses mid-pattern.
 */
export function re2RegExp(pattern: string, flags = ""): RegExp {
  const lifted = new Set(flags);
  const source = pattern.replace(/\(\?([ims]+)\)/g, (_group, inline: string) => {
    for (const flag of inline) lifted.add(flag);
    return "";
  });
  return new RegExp(source, [...lifted].join(""));
}
