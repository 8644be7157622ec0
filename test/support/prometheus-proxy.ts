import * as http from "http";

/** How the proxy differs from the Prometheus behind it, as Thanos, Mimir or an auth proxy would. */
export interface ProxyOptions {
  /** Served under this path prefix (`/prometheus`), as behind an ingress. */
  readonly pathPrefix?: string;
  /** Requests lacking any of these headers (name lower case → value) get 401. */
  readonly requiredHeaders?: Readonly<Record<string, string>>;
  /** Added to every successful answer's `warnings`, as a querier with a store down does. */
  readonly warnings?: readonly string[];
}

export interface RunningProxy {
  readonly url: string;
  close(): Promise<void>;
}

/** An HTTP proxy on 127.0.0.1 in front of a real Prometheus at `upstream`; close it in `after`. */
export async function startPrometheusProxy(upstream: string, options: ProxyOptions): Promise<RunningProxy> {
  const prefix = options.pathPrefix ?? "";
  const server = http.createServer(async (request, response) => {
    const missing = Object.entries(options.requiredHeaders ?? {}).filter(
      ([name, value]) => request.headers[name] !== value,
    );
    if (missing.length > 0 || !request.url?.startsWith(`${prefix}/`)) {
      response.writeHead(missing.length > 0 ? 401 : 404, { "content-type": "text/plain" });
      response.end(missing.length > 0 ? "unauthorized\n" : "404 page not found\n");
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const answer = await fetch(`${upstream}${request.url.slice(prefix.length)}`, {
      method: request.method,
      headers: { "content-type": request.headers["content-type"] ?? "application/x-www-form-urlencoded" },
      body: request.method === "POST" ? Buffer.concat(chunks) : undefined,
    });
    const body = (await answer.json()) as { warnings?: string[] };
    if (options.warnings) body.warnings = [...(body.warnings ?? []), ...options.warnings];
    response.writeHead(answer.status, { "content-type": "application/json" });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
