import type { CommandHelp } from "./command-help";

/** The examples and exit codes each command's `--help` ends with (a test requires one per command). */
export const COMMAND_EXAMPLES: Readonly<Record<string, CommandHelp>> = {
  "mesh-egress": {
    examples: [
      ["npx mesh-egress render --stack dev", "every manifest `pulumi up --stack dev` applies"],
      [
        "npx mesh-egress render --stack prod | npx mesh-egress lint -",
        "the guardrails over them, at prod's levels",
      ],
      [
        "npx mesh-egress promote --from dev --to prod --service stripe --dry-run",
        "the diff a promotion makes",
      ],
      [
        "npx mesh-egress trace --stack prod --from payments --to api.stripe.com:443",
        "why a workload can (or cannot) reach a host",
      ],
    ],
    exitCodes: [
      [0, "done; no mandatory violation"],
      [
        1,
        "a mandatory guardrail is violated (lint, promote); a path is denied or bypasses the gateway (trace)",
      ],
      [2, "bad input: unknown command or option, invalid configuration, unreadable file"],
    ],
  },
  init: {
    examples: [
      [
        "npx mesh-egress init --stack acme-dev --environment dev --tenant payments",
        "your own dev stack, one tenant",
      ],
      [
        "npx mesh-egress init --stack acme-prod --environment prod --tenant payments --gateway-namespace egress",
        "a prod stack with its gateway in namespace egress",
      ],
    ],
    exitCodes: [
      [0, "written"],
      [2, "bad input (stack name, namespace), or Pulumi.<stack>.yaml already exists (never overwritten)"],
    ],
  },
  render: {
    examples: [
      ["npx mesh-egress render --stack dev", "Pulumi.dev.yaml's manifests on stdout"],
      ["npx mesh-egress render --stack prod --out out/", "the same, also written to out/prod.yaml"],
      [
        "npx mesh-egress render --stack dev | npx mesh-egress lint --environment dev -",
        "render, then lint at dev's levels",
      ],
      [
        "git show main:Pulumi.dev.yaml | npx mesh-egress render --stack-file -",
        "the stack as on main, to diff against",
      ],
      [
        "npx mesh-egress render --stack prod --now 2026-11-30T06:00:00Z",
        "what prod deploys at that instant: break-glass entries expired by then render nothing",
      ],
    ],
    exitCodes: [
      [0, "rendered"],
      [
        2,
        "bad input: unreadable stack file, invalid configuration (one path-qualified error a line), bad --out",
      ],
    ],
  },
  lint: {
    examples: [
      ["npx mesh-egress render --stack prod | npx mesh-egress lint -", "what prod deploys, at prod's levels"],
      [
        "npx mesh-egress lint --environment prod out/prod.yaml",
        "the file `render --stack prod --out out/` wrote",
      ],
      ["npx mesh-egress lint --format json out/", "every YAML/JSON file below a directory, as JSON"],
      [
        "npx mesh-egress lint --now 2026-11-30T06:00:00Z out/prod.yaml",
        "break-glass expiries judged at that instant, not the clock",
      ],
    ],
    exitCodes: [
      [0, "no mandatory violation (advisory ones are printed)"],
      [1, "at least one mandatory violation"],
      [2, "unusable input: unreadable or unparsable file, bad policy config"],
    ],
  },
  promote: {
    examples: [
      [
        "npx mesh-egress promote --from dev --to prod --service stripe --dry-run",
        "the diff, nothing written",
      ],
      ["npx mesh-egress promote --from dev --to prod-eu prod-us --service stripe", "into a shared registry"],
      [
        "npx mesh-egress promote --from dev --to prod --tenant payments",
        "a tenant's grants and their services",
      ],
    ],
    exitCodes: [
      [0, "promoted, or nothing to do"],
      [1, "a target would refuse the result (its validation or a mandatory rule); nothing written"],
      [2, "bad input: unknown stack, service or tenant, a secure value"],
    ],
  },
  report: {
    examples: [
      ["npx mesh-egress report --stack prod", "prod's declared egress, as text"],
      ["npx mesh-egress report --stack prod --format markdown", "the same as a table for a pull request"],
      [
        "npx mesh-egress report --stack prod --now 2026-11-30T06:00:00Z",
        "break-glass entries active at that instant",
      ],
      [
        "npx mesh-egress report --stack-file Pulumi.prod-eu.yaml --format csv",
        "one cluster's grants, for a spreadsheet",
      ],
    ],
    exitCodes: [
      [0, "reported"],
      [2, "bad input: unknown stack, invalid configuration, unknown format"],
    ],
  },
  audit: {
    examples: [
      [
        "npx mesh-egress audit --stack prod --prometheus http://localhost:9090",
        "observed egress over 30 days against prod's grants",
      ],
      [
        "npx mesh-egress audit --stack prod --prometheus http://localhost:9090 --since 7d --format json",
        "the last week, as JSON",
      ],
      [
        "npx mesh-egress audit --stack prod-eu --prometheus https://thanos.example/prometheus --cluster cluster=prod-eu --bearer-token-file /var/run/secrets/token",
        "one cluster of a shared, authenticated Prometheus",
      ],
      [
        "npx mesh-egress audit --stack prod --prometheus http://localhost:9090 --since 90d --source recorded",
        "a long window from the audit records only (exit 2 if they do not cover it)",
      ],
    ],
    exitCodes: [
      [0, "nothing undeclared observed"],
      [1, "undeclared egress observed"],
      [
        2,
        "bad input, an unreachable Prometheus, a failed query, an empty window, or a partial answer (Prometheus warnings, or --source recorded over a window the records do not cover)",
      ],
    ],
  },
  trace: {
    examples: [
      [
        "npx mesh-egress trace --stack prod --from payments --to api.stripe.com:443",
        "every hop of a granted path, from the Sidecar to the gateway's way out",
      ],
      [
        "npx mesh-egress trace --stack prod --from storefront/web --to api.openai.com --format json",
        "why a path is denied, the deciding object and the allow entry to add, as JSON",
      ],
      [
        "npx mesh-egress trace --kubeconfig ~/.kube/config --from payments --to pastebin.com:443",
        "the live cluster: is there a way around the gateway?",
      ],
      [
        "npx mesh-egress render --stack prod --now 2026-11-30T06:00:00Z | npx mesh-egress trace --from payments --to api.stripe.com --now 2026-11-30T06:00:00Z -",
        "manifests on stdin, break-glass entries judged at that instant",
      ],
    ],
    exitCodes: [
      [0, "allowed through the gateway"],
      [1, "denied at some hop, or the host is reached without the gateway (a bypass)"],
      [2, "bad input: --from/--to malformed, unreadable manifests or stack, unreachable cluster"],
    ],
  },
  discover: {
    examples: [
      [
        "kubectl logs -n shop deploy/web -c istio-proxy --since=720h > shop.log && npx mesh-egress discover shop=shop.log",
        "what shop's sidecars reach today, as a stack fragment (a dev stack that renders as is)",
      ],
      [
        "npx mesh-egress discover --stack prod --prometheus http://localhost:9090 --since 7d",
        "a week of PassthroughCluster traffic, as the diff of Pulumi.prod.yaml that would allow it",
      ],
      [
        "kubectl logs -n istio-egress deploy/istio-egressgateway | npx mesh-egress discover --stack dev -",
        "the gateway's log (callers from their identity), hosts dev already registers left out",
      ],
    ],
    exitCodes: [
      [0, "written (malformed lines are counted in the output, never fatal)"],
      [2, "bad input: nothing to read, unreadable log or stack, bad --since/--now, Prometheus failing"],
    ],
  },
};
