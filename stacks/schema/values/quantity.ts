/** Multipliers of the Kubernetes quantity suffixes (binary SI, decimal SI). */
const SUFFIX: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** A quantity the schema accepted (`500m`, `1.5Gi`, `1e3`, 2) as a number, for comparing requests with limits. */
export function quantityValue(quantity: string | number): number {
  if (typeof quantity === "number") return quantity;
  const match = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))([eE][+-]?[0-9]+|[a-zA-Z]*)$/.exec(quantity);
  if (!match) return Number.NaN;
  const [, number, suffix] = match;
  return /^[eE]/.test(suffix) ? Number(number + suffix) : Number(number) * (SUFFIX[suffix] ?? Number.NaN);
}
