/** One sample of an instant vector: its labels and value. */
export interface VectorSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Anything that went wrong talking to Prometheus, said so a person can act on it. */
export class PrometheusError extends Error {}

export interface PrometheusClientOptions {
  /** Base URL, e.g. http://prometheus.monitoring:9090 (a path prefix is kept). */
  readonly url: string;
  /** How long one query may take, client and server side. */
  readonly timeoutMs: number;
  /** Sent with every request: `Authorization` from a bearer token, tenant headers (`X-Scope-OrgID`), … */
  readonly headers?: Readonly<Record<string, string>>;
}

interface PrometheusResponse {
  readonly status?: string;
  readonly errorType?: string;
  readonly error?: string;
  readonly data?: { readonly resultType?: string; readonly result?: unknown };
  /** Partial results (Thanos, Mimir, Cortex with a store down): the answer is incomplete. */
  readonly warnings?: readonly string[];
}

/** Prometheus's HTTP API, instant queries only: the audit needs nothing else. */
export class PrometheusClient {
  /** Every warning Prometheus attached to an answer so far, each once: the results they came with are incomplete. */
  readonly warnings: string[] = [];

  constructor(private readonly options: PrometheusClientOptions) {}

  /** Evaluates an instant-vector query now (or `at`); Prometheus's own errors and timeouts are thrown, never swallowed. */
  async query(promql: string, at?: Date): Promise<VectorSample[]> {
    const endpoint = new URL(
      "api/v1/query",
      this.options.url.endsWith("/") ? this.options.url : `${this.options.url}/`,
    );
    const body = new URLSearchParams({
      query: promql,
      timeout: `${Math.ceil(this.options.timeoutMs / 1000)}s`,
    });
    if (at) body.set("time", String(at.getTime() / 1000));
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        body,
        headers: { ...this.options.headers },
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw new PrometheusError(this.describeFetchFailure(err, endpoint.href));
    }
    const text = await response.text();
    let parsed: PrometheusResponse;
    try {
      parsed = JSON.parse(text) as PrometheusResponse;
    } catch {
      throw new PrometheusError(
        `${endpoint.href} answered HTTP ${response.status} without Prometheus JSON: is it a Prometheus? (${text.slice(0, 120).trim()})`,
      );
    }
    if (parsed.status !== "success") {
      throw new PrometheusError(
        `Prometheus at ${endpoint.href} refused a query (HTTP ${response.status}, ${parsed.errorType ?? "error"}: ${parsed.error ?? "no message"}); query: ${promql}`,
      );
    }
    if (parsed.data?.resultType !== "vector" || !Array.isArray(parsed.data.result)) {
      throw new PrometheusError(
        `Prometheus at ${endpoint.href} returned a ${parsed.data?.resultType ?? "missing"} result, not a vector, for: ${promql}`,
      );
    }
    for (const warning of parsed.warnings ?? [])
      if (!this.warnings.includes(warning)) this.warnings.push(warning);
    return (parsed.data.result as { metric: Record<string, string>; value: [number, string] }[]).map((s) => ({
      labels: s.metric,
      value: Number(s.value[1]),
    }));
  }

  private describeFetchFailure(err: unknown, url: string): string {
    const error = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (error.name === "TimeoutError" || error.name === "AbortError") {
      return `Prometheus at ${url} did not answer within ${this.options.timeoutMs / 1000}s`;
    }
    const cause = error.cause?.code ?? error.cause?.message ?? error.message ?? String(err);
    return `cannot reach Prometheus at ${url}: ${cause}`;
  }
}
