/**
 * Helm's `chartutil.CoalesceValues` for one chart without dependencies: user values over the chart's
 * values.yaml, tables merged key by key, user values winning, and a user `null` deleting the chart default.
 */
export function coalesceValues(
  chartDefaults: Record<string, unknown>,
  userValues: Record<string, unknown>,
): Record<string, unknown> {
  return coalesceTables(structuredClone(userValues), chartDefaults);
}

function coalesceTables(
  destination: Record<string, unknown>,
  source: Record<string, unknown>,
): Record<string, unknown> {
  for (const [key, sourceValue] of Object.entries(source)) {
    if (!(key in destination)) {
      destination[key] = structuredClone(sourceValue);
    } else if (destination[key] === null) {
      delete destination[key];
    } else if (isTable(destination[key]) && isTable(sourceValue)) {
      coalesceTables(destination[key], sourceValue);
    }
    // Otherwise the user's value wins, even over a table of a different type (Helm only warns).
  }
  return destination;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
