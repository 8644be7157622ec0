#!/usr/bin/env bash
# Proves the npm package works as a tool: packs the tarball, installs it globally into a temp prefix,
# and from an unrelated directory runs --version, init, render --stack-file, lint, and the policy pack
# (started as the Pulumi CLI starts it, until it prints its port). Run by .ci/run after npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'kill "${pack_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

tarball="$(npm pack --silent --pack-destination "$work" | tail -n 1)"
npm install --global --prefix "$work/prefix" --no-audit --no-fund --loglevel=error "$work/$tarball"
bin="$work/prefix/bin/mesh-egress"
mkdir "$work/elsewhere" && cd "$work/elsewhere"

"$bin" --version
"$bin" init --stack packed --environment prod --tenant payments >/dev/null
"$bin" render --stack-file Pulumi.packed.yaml >rendered.yaml
"$bin" lint --environment prod rendered.yaml
"$bin" render --stack dev | "$bin" lint --environment dev - >/dev/null

# The pack as `pulumi preview --policy-pack <package>/policy` runs it: it serves gRPC and prints its port.
policy_dir="$(npm root --global --prefix "$work/prefix")/mesh-egress/policy"
(cd "$policy_dir" && exec node -r ts-node/register/transpile-only index.ts >"$work/pack.out" 2>"$work/pack.err") &
pack_pid=$!
for _ in $(seq 1 120); do
  if grep -qE '^[0-9]+\s*$' "$work/pack.out" 2>/dev/null; then
    echo "packed install: policy pack serving on port $(head -n 1 "$work/pack.out")"
    echo "packed install: ok ($tarball)"
    exit 0
  fi
  kill -0 "$pack_pid" 2>/dev/null || break
  sleep 1
done
echo "packed install: the policy pack did not start:" >&2
cat "$work/pack.err" >&2
exit 1
