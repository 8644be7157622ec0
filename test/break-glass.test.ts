import { strict as assert } from "assert";
import { buildBreakGlassManifests, breakGlassRuleGroups } from "../components/break-glass";
import { registrySummary } from "../components/egress-platform";
import { buildPlatformManifests } from "../components/platform-manifests";
import { renderDocuments } from "../cli/render";
import { loadPolicyConfig } from "../cli/lint-command";
import { evaluate } from "../policy/engine/evaluate";
import { ConfigError, formatIssue } from "../stacks/model/config-error";
import { expiredBreakGlassWarnings } from "../stacks/model/break-glass";
import type { KubernetesObject } from "../components/kubernetes-object";
import { breakGlassConfig, entry, hoursFromNow, NOW, stackValues } from "./support/break-glass-fixtures";
import { parseEgressConfig, PROJECT_DIR } from "../stacks/load-config";
import { readTextFile } from "../stacks/shared-registry";

/** The path-qualified errors validation gives for these break-glass keys. */
function errorsOf(extra: Record<string, unknown>, environment: "dev" | "prod" = "prod"): string[] {
  try {
    breakGlassConfig(extra, environment);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
  assert.fail("expected a ConfigError");
}

/** The path-qualified errors validation gives for whole stack values, judged at NOW. */
function errorsOfValues(values: Record<string, unknown>): string[] {
  try {
    parseEgressConfig(values, "test", PROJECT_DIR, readTextFile, new Date(NOW));
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map(formatIssue);
    throw err;
  }
  assert.fail("expected a ConfigError");
}

const find = (objects: readonly KubernetesObject[], kind: string, name: string, namespace?: string) =>
  objects.find(
    (o) => o.kind === kind && o.metadata.name === name && (!namespace || o.metadata.namespace === namespace),
  );

const ANNOTATIONS = {
  "mesh-egress.io/expires-at": hoursFromNow(6),
  "mesh-egress.io/reason": "egress gateway down in eu-west-1",
  "mesh-egress.io/ticket": "INC-4711",
  "mesh-egress.io/approved-by": "oncall-lead@example.com",
};
const labels = (id: string, scope: string) => ({
  "app.kubernetes.io/managed-by": "pulumi",
  "app.kubernetes.io/part-of": "mesh-egress",
  "app.kubernetes.io/component": "break-glass",
  "mesh-egress.io/break-glass": id,
  "mesh-egress.io/break-glass-scope": scope,
});

describe("break-glass validation, judged at a fixed now", () => {
  it("keeps an entry that expires in the future as active", () => {
    const config = breakGlassConfig({ breakGlass: [entry()] });
    assert.deepEqual(
      config.breakGlass.active.map((e) => e.id),
      ["gw-outage"],
    );
    assert.deepEqual(config.breakGlass.expired, []);
    assert.equal(config.breakGlass.evaluatedAt, "2026-11-29T12:00:00.000Z");
  });

  it("sets an expired entry aside, renders nothing for it, and warns by id and ticket", () => {
    const config = breakGlassConfig({ breakGlass: [entry({ expiresAt: hoursFromNow(-1) })] });
    assert.deepEqual(config.breakGlass.active, []);
    assert.deepEqual(buildBreakGlassManifests(config).entries, []);
    assert.equal(
      renderDocuments(config).some((o) => o.metadata.labels?.["mesh-egress.io/break-glass"]),
      false,
    );
    assert.deepEqual(expiredBreakGlassWarnings(config.breakGlass), [
      'break-glass "gw-outage" (breakGlass[0], ticket INC-4711) expired at 2026-11-29T11:00:00Z and renders nothing: remove it from the stack file',
    ]);
  });

  it("treats an entry as expired from the very instant of its expiry", () => {
    const config = breakGlassConfig({ breakGlass: [entry({ expiresAt: NOW })] });
    assert.deepEqual(
      config.breakGlass.expired.map((e) => e.id),
      ["gw-outage"],
    );
  });

  it("refuses an entry lasting longer than the prod maximum of 24h, naming its path", () => {
    assert.deepEqual(errorsOf({ breakGlass: [entry({ expiresAt: hoursFromNow(25) })] }), [
      `breakGlass[0].expiresAt: ${hoursFromNow(25)} is 25h away, beyond the prod maximum of 24h: set it at most 24h ahead and renew with a new approval if the exception is still needed`,
    ]);
  });

  it("allows dev up to 7 days, and no more", () => {
    const week = entry({ expiresAt: hoursFromNow(7 * 24) });
    assert.equal(breakGlassConfig({ breakGlass: [week] }, "dev").breakGlass.active.length, 1);
    assert.match(
      errorsOf({ breakGlass: [entry({ expiresAt: hoursFromNow(7 * 24 + 1) })] }, "dev")[0],
      /^breakGlass\[0\]\.expiresAt: .* beyond the dev maximum of 168h/,
    );
  });

  it("lets a stack lower the maximum, never raise it", () => {
    assert.match(
      errorsOf({ breakGlassMaxHours: 4, breakGlass: [entry({ expiresAt: hoursFromNow(5) })] })[0],
      /^breakGlass\[0\]\.expiresAt: .* maximum of 4h/,
    );
    assert.deepEqual(errorsOf({ breakGlassMaxHours: 48, breakGlass: [] }), [
      "breakGlassMaxHours: 48h exceeds the prod maximum of 24h: config can only lower it",
    ]);
  });

  it("requires every field, each error at its path", () => {
    const errors = errorsOf({
      breakGlass: [{ id: "x", reason: "r", approvedBy: "a", expiresAt: hoursFromNow(1), scope: {} }],
    });
    assert.ok(
      errors.some((e) => e.startsWith("breakGlass[0].ticket: ticket is required")),
      errors.join("\n"),
    );
    assert.ok(
      errors.some((e) => e.startsWith("breakGlass[0].scope: scope must be")),
      errors.join("\n"),
    );
    assert.deepEqual(errorsOf({ breakGlass: [entry({ reason: "  " })] }), [
      "breakGlass[0].reason: reason must not be empty",
    ]);
  });

  it("says a field given as a YAML number or timestamp must be quoted, not that it is missing", () => {
    assert.deepEqual(
      errorsOf({
        breakGlass: [entry({ ticket: 4711, expiresAt: new Date(Date.parse(hoursFromNow(6))) })],
      }),
      [
        'breakGlass[0].ticket: ticket must be text: quote it in YAML (ticket: "4711")',
        `breakGlass[0].expiresAt: expiresAt must be text: quote it in YAML (expiresAt: "${new Date(Date.parse(hoursFromNow(6))).toISOString()}")`,
      ],
    );
  });

  it("refuses a reason, ticket or approver too long to be an annotation on every object the entry adds", () => {
    assert.deepEqual(
      errorsOf({
        breakGlass: [
          entry({ reason: "x".repeat(300_000), ticket: "T".repeat(257), approvedBy: "a".repeat(257) }),
        ],
      }),
      [
        "breakGlass[0].reason: reason must be at most 4096 characters (it is an annotation on every object the entry adds)",
        "breakGlass[0].ticket: ticket must be at most 256 characters (it is an annotation on every object the entry adds)",
        "breakGlass[0].approvedBy: approvedBy must be at most 256 characters (it is an annotation on every object the entry adds)",
      ],
    );
  });

  it("refuses an expiry that is not RFC 3339 with an offset", () => {
    for (const expiresAt of ["2026-11-29 18:00", "2026-11-29T18:00:00", "2026-02-30T10:00:00Z"]) {
      assert.deepEqual(errorsOf({ breakGlass: [entry({ expiresAt })] }), [
        "breakGlass[0].expiresAt: must be an RFC 3339 time with an offset, such as 2026-11-30T06:00:00Z",
      ]);
    }
  });

  it("writes an expiry given with a lowercase t and z with uppercase ones, the only form the API server's CEL timestamp() parses", () => {
    const config = breakGlassConfig({ breakGlass: [entry({ expiresAt: "2026-11-29t18:00:00.5z" })] });
    const policy = find(renderDocuments(config), "NetworkPolicy", "break-glass-gw-outage", "payments")!;
    assert.equal(policy.metadata.annotations?.["mesh-egress.io/expires-at"], "2026-11-29T18:00:00.5Z");
    assert.equal(config.breakGlass.active[0].expiresAtMs, Date.parse("2026-11-29T18:00:00.5Z"));
  });

  it("names an unknown tenant or service, and a duplicate id", () => {
    assert.deepEqual(
      errorsOf({
        breakGlass: [
          entry({ scope: { direct: { tenants: ["paymnets"] } } }),
          entry({ scope: { grant: { tenant: "assistant", service: "strpe" } } }),
        ],
      }),
      [
        'breakGlass[0].scope.direct.tenants[0]: unknown tenant "paymnets"; declared tenants: payments, assistant, settlement',
        'breakGlass[1].id: duplicate id "gw-outage" (also breakGlass[0])',
        'breakGlass[1].scope.grant.service: unknown external service "strpe"; declared services: stripe, openai, partner',
      ],
    );
  });

  it("refuses grants the gateway cannot check by identity, or that change nothing", () => {
    assert.deepEqual(
      errorsOf({ breakGlass: [entry({ scope: { grant: { tenant: "assistant", service: "idp" } } })] }, "dev"),
      [
        'breakGlass[0].scope.grant.service: "idp" is passthrough: the gateway cannot tell tenants apart there, so a grant would have no identity check',
      ],
    );
    assert.match(
      errorsOf({ breakGlass: [entry({ scope: { grant: { tenant: "payments", service: "stripe" } } })] })[0],
      /already allowed "stripe"/,
    );
  });

  it("refuses a direct entry the prod guardrails would deny, until they name who may create it", () => {
    const noRequesters = { guardrails: { validationActions: ["Deny"] } };
    assert.deepEqual(errorsOf({ ...noRequesters, breakGlass: [entry()] }), [
      "breakGlass[0].scope.direct: the admission guardrails (Deny) refuse break-glass NetworkPolicies from anyone not in guardrails.breakGlassRequesters: name the user or group pulumi up runs as there",
    ]);
    // Warn + Audit only reports, and a grant adds no NetworkPolicy: neither needs a requester.
    const warnOnly = { guardrails: { validationActions: ["Warn", "Audit"] } };
    assert.equal(breakGlassConfig({ ...warnOnly, breakGlass: [entry()] }).breakGlass.active.length, 1);
    const grant = entry({ scope: { grant: { tenant: "assistant", service: "stripe" } } });
    assert.equal(breakGlassConfig({ ...noRequesters, breakGlass: [grant] }).breakGlass.active.length, 1);
  });

  it("refuses to send a tenant direct to a service whose client certificate stays in the gateway namespace", () => {
    assert.deepEqual(errorsOf({ breakGlass: [entry({ scope: { direct: { tenants: ["settlement"] } } })] }), [
      'breakGlass[0].scope.direct.tenants[0]: tenant "settlement" uses service "partner", which is originate-mutual: its client certificate lives in the gateway namespace and cannot go direct',
    ]);
  });
});

describe("a direct entry for a tenant allowed no service", () => {
  it("is refused, since Kubernetes reads the empty port list it would render as every port", () => {
    const values = stackValues({ breakGlass: [entry({ scope: { direct: { tenants: ["reports"] } } })] });
    values.tenants = [...values.tenants, { namespace: "reports", allow: [] }];
    assert.deepEqual(errorsOfValues(values), [
      'breakGlass[0].scope.direct.tenants[0]: tenant "reports" is allowed no service, and a direct exception opens only its services\' ports (an empty port list would open every port): add the services it needs to tenants[].allow, or leave it out',
    ]);
  });
});

describe("break-glass grants to a host not yet in the registry", () => {
  const HOST = "api.newpartner.example";
  const destinationGrant = (destination: Record<string, unknown>, expiresAt = hoursFromNow(6)) =>
    entry({
      id: "newpartner-for-assistant",
      expiresAt,
      scope: { grant: { tenant: "assistant", destination } },
    });
  const forHost = (objects: readonly KubernetesObject[], kind: string) =>
    objects.filter((o) => o.kind === kind && JSON.stringify(o.spec).includes(HOST));

  it("registers the host through the gateway while the entry lasts, for the granted tenant only, labelled as the entry's", () => {
    const config = breakGlassConfig({
      breakGlass: [destinationGrant({ host: HOST, port: 443, mode: "passthrough-mtls" })],
    });
    const objects = renderDocuments(config);
    const [serviceEntry] = forHost(objects, "ServiceEntry");
    assert.deepEqual(serviceEntry.spec!.hosts, [HOST]);
    assert.deepEqual(serviceEntry.spec!.exportTo, [".", "assistant"]);
    assert.equal(serviceEntry.spec!.resolution, "DNS");
    for (const kind of ["ServiceEntry", "Gateway", "VirtualService"]) {
      const [object] = forHost(objects, kind);
      assert.equal(object.metadata.namespace, "istio-egress", kind);
      assert.equal(object.metadata.labels?.["mesh-egress.io/break-glass"], "newpartner-for-assistant", kind);
      assert.equal(object.metadata.annotations?.["mesh-egress.io/expires-at"], hoursFromNow(6), kind);
    }
    assert.deepEqual(
      find(objects, "AuthorizationPolicy", "break-glass-newpartner-for-assistant")!.spec!.rules,
      [
        {
          from: [{ source: { namespaces: ["assistant"] } }],
          to: [{ operation: { ports: ["443"] } }],
          // The granted tenant's own chain: its SNI for the host.
          when: [{ key: "connection.sni", values: [`assistant.${HOST}.mesh-egress.invalid`] }],
        },
      ],
    );
    const subsets = (find(objects, "DestinationRule", "egress-gateway")?.spec as any)?.subsets ?? [];
    assert.ok(
      JSON.stringify(objects.filter((o) => o.kind === "DestinationRule")).includes(
        `"sni":"assistant.${HOST}.mesh-egress.invalid"`,
      ),
      `a gateway subset with the granted tenant's SNI for ${HOST}: ${JSON.stringify(subsets)}`,
    );
    const sidecar = find(objects, "Sidecar", "default", "assistant")!;
    assert.ok((sidecar.spec as any).egress[0].hosts.includes(`istio-egress/${HOST}`));
    assert.ok(
      !(find(objects, "Sidecar", "default", "payments")!.spec as any).egress[0].hosts.includes(
        `istio-egress/${HOST}`,
      ),
    );
  });

  it("has the gateway originate and verify TLS for an originate destination", () => {
    const config = breakGlassConfig({ breakGlass: [destinationGrant({ host: HOST, mode: "originate" })] });
    const origination = forHost(renderDocuments(config), "DestinationRule").find(
      (o) => (o.spec as any).host === HOST,
    )!;
    assert.deepEqual((origination.spec as any).exportTo, ["."]);
    assert.equal(JSON.stringify(origination.spec).includes('"mode":"SIMPLE"'), true);
    assert.equal(origination.metadata.labels?.["mesh-egress.io/break-glass"], "newpartner-for-assistant");
  });

  it("leaves the prod pack with no mandatory violation, rate limits included, and the registry output without the host", () => {
    const config = breakGlassConfig({
      breakGlass: [
        destinationGrant({ host: HOST, mode: "originate" }),
        entry({
          id: "tls-host",
          scope: {
            grant: {
              tenant: "assistant",
              destination: { host: "api.tls.example", mode: "passthrough-mtls" },
            },
          },
        }),
      ],
    });
    const policy = loadPolicyConfig("prod");
    const settings = new Map(policy.settings);
    for (const rule of ["break-glass-expiry-valid", "break-glass-expiring-soon"]) {
      settings.set(rule, { ...(settings.get(rule) ?? {}), now: NOW });
    }
    const { findings } = evaluate(renderDocuments(config), { ...policy, settings });
    assert.deepEqual(
      findings.map((f) => `${f.enforcement} ${f.rule}: ${f.message}`),
      [],
    );
    assert.ok(!registrySummary(config).some((s) => s.hosts.includes(HOST)));
  });

  it("refuses in prod an HTTP grant to a tenant without an HTTP rate limit, naming the tenant", () => {
    const toPayments = entry({
      scope: { grant: { tenant: "payments", destination: { host: HOST, mode: "originate" } } },
    });
    assert.deepEqual(errorsOf({ breakGlass: [toPayments] }), [
      "breakGlass[0].scope.grant.tenant: prod requires a limit for every tenant: payments would reach the granted service over HTTP; set rateLimits.tenants.payments.http",
    ]);
  });

  it("renders nothing of the host once the entry expired", () => {
    const expired = breakGlassConfig(
      { breakGlass: [destinationGrant({ host: HOST, mode: "passthrough-mtls" }, hoursFromNow(1))] },
      "prod",
      hoursFromNow(2),
    );
    assert.equal(JSON.stringify(renderDocuments(expired)).includes(HOST), false);
  });

  it("refuses a registered service named like the objects entries add, whose names would collide with them", () => {
    const withService = (name: string, breakGlass: unknown[]) => {
      const values = stackValues({ breakGlass });
      values.services.push({ name, hosts: ["api.other.example"], mode: "originate" });
      return errorsOfValues(values);
    };
    // A grant's temporary service, and a direct entry's VirtualService for stripe.
    for (const [name, breakGlass] of [
      ["break-glass-newpartner-for-assistant", [destinationGrant({ host: HOST, mode: "originate" })]],
      ["break-glass-gw-outage-stripe", [entry()]],
    ] as const) {
      assert.deepEqual(withService(name, [...breakGlass]), [
        `services[3].name: "${name}" starts with "break-glass-", which names the objects break-glass entries add (break-glass-<id>, break-glass-<id>-<service>): choose another name`,
      ]);
    }
  });

  it("refuses a destination host an earlier active entry already registers, and allows it once that entry expired", () => {
    const second = (expiresAt = hoursFromNow(6)) =>
      entry({
        id: "newpartner-for-payments",
        expiresAt,
        scope: { grant: { tenant: "payments", destination: { host: HOST, mode: "passthrough-mtls" } } },
      });
    assert.deepEqual(
      errorsOf({ breakGlass: [destinationGrant({ host: HOST, mode: "passthrough-mtls" }), second()] }),
      [
        `breakGlass[1].scope.grant.destination.host: "${HOST}" is already the destination of breakGlass[0] (newpartner-for-assistant), and a host belongs to one service: register it as a service and grant it to each tenant with {grant: {tenant, service}}`,
      ],
    );
    for (const breakGlass of [
      [destinationGrant({ host: HOST, mode: "passthrough-mtls" }, hoursFromNow(-1)), second()],
      [second(), destinationGrant({ host: HOST, mode: "passthrough-mtls" }, hoursFromNow(-1))],
    ]) {
      assert.deepEqual(
        breakGlassConfig({ breakGlass }).breakGlass.active.map((e) => e.id),
        ["newpartner-for-payments"],
      );
    }
  });

  it("refuses a destination already registered, not one DNS name, in a mode needing a client certificate, or beside a service", () => {
    assert.deepEqual(
      errorsOf({ breakGlass: [destinationGrant({ host: "api.stripe.com", mode: "passthrough-mtls" })] }),
      [
        'breakGlass[0].scope.grant.destination.host: "api.stripe.com" is already registered as service "stripe": grant {tenant: assistant, service: stripe} instead',
      ],
    );
    assert.match(
      errorsOf({ breakGlass: [destinationGrant({ host: "*.newpartner.example", mode: "originate" })] })[0],
      /^breakGlass\[0\]\.scope\.grant\.destination\.host: /,
    );
    assert.match(
      errorsOf({ breakGlass: [destinationGrant({ host: HOST, mode: "originate-mutual" })] })[0],
      /^breakGlass\[0\]\.scope\.grant\.destination\.mode: must be one of passthrough-mtls, originate/,
    );
    assert.deepEqual(
      errorsOf({
        breakGlass: [
          entry({
            scope: {
              grant: {
                tenant: "assistant",
                service: "stripe",
                destination: { host: HOST, mode: "originate" },
              },
            },
          }),
        ],
      }),
      [
        "breakGlass[0].scope.grant: name either a registered service or a destination {host, port, mode} not yet in the registry, not both",
      ],
    );
  });
});

describe("break-glass objects", () => {
  it("direct: opens the tenant's NetworkPolicy to public ranges on its services' ports only", () => {
    const objects = renderDocuments(breakGlassConfig({ breakGlass: [entry()] }));
    assert.deepEqual(find(objects, "NetworkPolicy", "break-glass-gw-outage", "payments"), {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: {
        name: "break-glass-gw-outage",
        namespace: "payments",
        labels: labels("gw-outage", "direct"),
        annotations: ANNOTATIONS,
      },
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              {
                ipBlock: {
                  cidr: "0.0.0.0/0",
                  except: [
                    "10.0.0.0/8",
                    "172.16.0.0/12",
                    "192.168.0.0/16",
                    "100.64.0.0/10",
                    "127.0.0.0/8",
                    "169.254.0.0/16",
                  ],
                },
              },
              {
                ipBlock: {
                  cidr: "::/0",
                  except: ["fc00::/7", "fe80::/10", "::1/128", "64:ff9b::/96", "64:ff9b:1::/48"],
                },
              },
            ],
            ports: [{ protocol: "TCP", port: 443 }],
          },
        ],
      },
    });
  });

  it("direct: keeps the cluster's own public ranges (cluster.internalCidrs) closed, as the gateway does", () => {
    const config = breakGlassConfig({
      breakGlass: [entry()],
      cluster: { internalCidrs: ["2600:1f18::/32"] },
    });
    const policy = find(renderDocuments(config), "NetworkPolicy", "break-glass-gw-outage", "payments")!;
    const blocks = (policy.spec as any).egress[0].to.map((peer: any) => peer.ipBlock);
    assert.deepEqual(blocks[1].except.slice(-1), ["2600:1f18::/32"]);
  });

  it("direct under the cluster-wide lock: passes the tenant's public egress on its ports one step ahead of the lock's Deny", () => {
    const config = breakGlassConfig({
      breakGlass: [entry()],
      cluster: { lockAllNamespaces: { priority: 10 } },
    });
    const objects = renderDocuments(config);
    const pass = find(objects, "AdminNetworkPolicy", "mesh-egress-break-glass-gw-outage")!;
    assert.deepEqual(pass.metadata.labels, labels("gw-outage", "direct"));
    assert.equal(pass.metadata.namespace, undefined, "AdminNetworkPolicy is cluster-scoped");
    assert.deepEqual(pass.spec, {
      priority: 9,
      subject: {
        namespaces: {
          matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: ["payments"] }],
        },
      },
      egress: [
        {
          name: "break-glass-gw-outage",
          action: "Pass",
          to: [{ networks: ["0.0.0.0/0", "::/0"] }],
          ports: [{ portNumber: { protocol: "TCP", port: 443 } }],
        },
      ],
    });
    const lock = find(objects, "AdminNetworkPolicy", "mesh-egress-lock-all-namespaces")!;
    assert.ok((pass.spec as any).priority < (lock.spec as any).priority, "a lower number is evaluated first");
  });

  it("has the pack judge the lock-passing AdminNetworkPolicy's expiry like every other break-glass object", () => {
    const objects = renderDocuments(
      breakGlassConfig({ breakGlass: [entry()], cluster: { lockAllNamespaces: true } }),
    ).map((o) =>
      o.kind === "AdminNetworkPolicy" && o.metadata.name === "mesh-egress-break-glass-gw-outage"
        ? {
            ...o,
            metadata: {
              ...o.metadata,
              annotations: { ...o.metadata.annotations, "mesh-egress.io/expires-at": "soon" },
            },
          }
        : o,
    );
    const policy = loadPolicyConfig("prod");
    const settings = new Map(policy.settings);
    settings.set("break-glass-expiry-valid", {
      ...(settings.get("break-glass-expiry-valid") ?? {}),
      now: NOW,
    });
    const fired = evaluate(objects, { ...policy, settings })
      .findings.filter((f) => f.rule === "break-glass-expiry-valid")
      .map((f) => f.message);
    assert.equal(fired.length, 1, fired.join("\n"));
    assert.match(fired[0]!, /AdminNetworkPolicy/);
  });

  it("has the prod pack refuse the rendered direct objects once their port lists are empty, which opens every port", () => {
    const emptied = renderDocuments(
      breakGlassConfig({ breakGlass: [entry()], cluster: { lockAllNamespaces: true } }),
    ).map((o) =>
      o.metadata.labels?.["mesh-egress.io/break-glass"] === "gw-outage" &&
      (o.kind === "NetworkPolicy" || o.kind === "AdminNetworkPolicy")
        ? { ...o, spec: { ...o.spec, egress: (o.spec as any).egress.map((r: any) => ({ ...r, ports: [] })) } }
        : o,
    );
    const policy = loadPolicyConfig("prod");
    const settings = new Map(policy.settings);
    for (const rule of ["break-glass-expiry-valid", "break-glass-expiring-soon"]) {
      settings.set(rule, { ...(settings.get(rule) ?? {}), now: NOW });
    }
    const fired = evaluate(emptied, { ...policy, settings })
      .findings.filter((f) => f.rule === "break-glass-public-egress-port-scoped")
      .map((f) => `${f.enforcement} ${f.message.split(":")[0]}`);
    assert.deepEqual(fired, [
      "mandatory NetworkPolicy payments/break-glass-gw-outage",
      "mandatory AdminNetworkPolicy mesh-egress-break-glass-gw-outage",
    ]);
  });

  it("direct without the cluster-wide lock adds no AdminNetworkPolicy", () => {
    const objects = renderDocuments(breakGlassConfig({ breakGlass: [entry()] }));
    assert.equal(objects.filter((o) => o.kind === "AdminNetworkPolicy").length, 0);
  });

  it("direct: routes the tenant's sidecars straight to the host, and its gateway route no longer applies to them", () => {
    const objects = renderDocuments(breakGlassConfig({ breakGlass: [entry()] }));
    assert.deepEqual(find(objects, "VirtualService", "break-glass-gw-outage-stripe"), {
      apiVersion: "networking.istio.io/v1",
      kind: "VirtualService",
      metadata: {
        name: "break-glass-gw-outage-stripe",
        namespace: "istio-egress",
        labels: labels("gw-outage", "direct"),
        annotations: ANNOTATIONS,
      },
      spec: {
        hosts: ["api.stripe.com"],
        gateways: ["mesh"],
        exportTo: ["payments"],
        tls: [
          {
            match: [{ port: 443, sniHosts: ["api.stripe.com"] }],
            route: [{ destination: { host: "api.stripe.com", port: { number: 443 } } }],
          },
        ],
      },
    });
    assert.deepEqual(find(objects, "VirtualService", "stripe")!.spec!.exportTo, ["."]);
    assert.deepEqual(find(objects, "ServiceEntry", "stripe")!.spec!.exportTo, [".", "payments"]);
  });

  it("direct: lets the sidecar originate TLS for an originate service, verifying the host", () => {
    const objects = renderDocuments(
      breakGlassConfig({ breakGlass: [entry({ scope: { direct: { tenants: ["assistant"] } } })] }),
    );
    const route = find(objects, "VirtualService", "break-glass-gw-outage-openai")!;
    assert.deepEqual(route.spec!.http, [
      { match: [{ port: 80 }], route: [{ destination: { host: "api.openai.com", port: { number: 443 } } }] },
    ]);
    assert.deepEqual(find(objects, "DestinationRule", "break-glass-gw-outage-openai")!.spec, {
      host: "api.openai.com",
      exportTo: ["assistant"],
      trafficPolicy: {
        portLevelSettings: [
          {
            port: { number: 443 },
            tls: { mode: "SIMPLE", sni: "api.openai.com", subjectAltNames: ["api.openai.com"] },
          },
        ],
      },
    });
  });

  it("grant: adds the tenant's own ALLOW rule at the gateway and makes the host visible to it only", () => {
    const grant = entry({
      id: "stripe-for-assistant",
      scope: { grant: { tenant: "assistant", service: "stripe" } },
    });
    const objects = renderDocuments(breakGlassConfig({ breakGlass: [grant] }));
    assert.deepEqual(find(objects, "AuthorizationPolicy", "break-glass-stripe-for-assistant"), {
      apiVersion: "security.istio.io/v1",
      kind: "AuthorizationPolicy",
      metadata: {
        name: "break-glass-stripe-for-assistant",
        namespace: "istio-egress",
        labels: labels("stripe-for-assistant", "grant"),
        annotations: ANNOTATIONS,
      },
      spec: {
        selector: { matchLabels: { istio: "egressgateway" } },
        action: "ALLOW",
        rules: [
          {
            from: [{ source: { namespaces: ["assistant"] } }],
            to: [{ operation: { ports: ["443"] } }],
            when: [{ key: "connection.sni", values: ["assistant.api.stripe.com.mesh-egress.invalid"] }],
          },
        ],
      },
    });
    assert.deepEqual(find(objects, "ServiceEntry", "stripe")!.spec!.exportTo, [".", "payments", "assistant"]);
    assert.deepEqual(find(objects, "VirtualService", "stripe")!.spec!.exportTo, [
      ".",
      "payments",
      "assistant",
    ]);
    const sidecar = find(objects, "Sidecar", "default", "assistant")!;
    assert.ok((sidecar.spec as any).egress[0].hosts.includes("istio-egress/api.stripe.com"));
    const ownRule = find(objects, "AuthorizationPolicy", "tenant-assistant")!;
    assert.equal(
      JSON.stringify(ownRule).includes("api.stripe.com"),
      false,
      "the tenant's own rule is unchanged",
    );
    // The grant gives the tenant a chain of its own while it lasts: server, subset and mesh route.
    const gateway = find(objects, "Gateway", "stripe")!;
    assert.ok(
      JSON.stringify(gateway.spec).includes("istio-egress/assistant.api.stripe.com.mesh-egress.invalid"),
    );
  });

  it("renders without the entry exactly what a stack without break-glass renders, once it expired", () => {
    const expired = breakGlassConfig(
      {
        breakGlass: [
          entry(),
          entry({ id: "g", scope: { grant: { tenant: "assistant", service: "stripe" } } }),
        ],
      },
      "prod",
      hoursFromNow(7),
    );
    assert.deepEqual(renderDocuments(expired), renderDocuments(breakGlassConfig({})));
  });

  it("leaves the prod pack with no mandatory violation while entries are active", () => {
    const config = breakGlassConfig({
      breakGlass: [
        entry(),
        entry({ id: "assistant-direct", scope: { direct: { tenants: ["assistant"] } } }),
        entry({ id: "stripe-for-assistant", scope: { grant: { tenant: "assistant", service: "stripe" } } }),
      ],
      // The lock too: its Deny and the entries' Pass must both hold under the pack.
      cluster: { lockAllNamespaces: true },
    });
    const policy = loadPolicyConfig("prod");
    const settings = new Map(policy.settings);
    for (const rule of ["break-glass-expiry-valid", "break-glass-expiring-soon"]) {
      settings.set(rule, { ...(settings.get(rule) ?? {}), now: NOW });
    }
    const { findings } = evaluate(renderDocuments(config), { ...policy, settings });
    assert.deepEqual(
      findings.map((f) => `${f.enforcement} ${f.rule}: ${f.message}`),
      [],
    );
  });

  it("alerts on each active entry with its expiry in the expression", () => {
    const config = breakGlassConfig({ breakGlass: [entry()] });
    const [group] = breakGlassRuleGroups(config.breakGlass.active);
    const expiry = Date.parse(hoursFromNow(6)) / 1000;
    assert.deepEqual(
      group.rules.map((r) => ("alert" in r ? `${r.alert} ${r.expr} ${r.labels.severity}` : "")),
      [
        `MeshEgressBreakGlassActive vector(time()) < ${expiry} critical`,
        `MeshEgressBreakGlassOverdue vector(time()) >= ${expiry} critical`,
      ],
    );
    const rule = buildPlatformManifests(config).observability.objects.find(
      (o) => o.kind === "PrometheusRule",
    )!;
    assert.ok((rule.spec as any).groups.some((g: any) => g.name === "mesh-egress.break-glass"));
    assert.deepEqual(breakGlassRuleGroups([]), []);
  });
});
