#!/usr/bin/env bash
# Assembles the official schemas the conformance suite reads ($MESH_EGRESS_SCHEMAS) from the pinned
# upstream tags and commits in scripts/upstream-schemas.tsv, then checks every file's sha256.
#   scripts/fetch-upstream-schemas.sh DIR            download into DIR (curl honours HTTPS_PROXY)
#   scripts/fetch-upstream-schemas.sh --verify DIR   only check DIR against the manifest
# Exit 0 when every file is present with its checksum, 1 otherwise, 2 on usage errors.
set -euo pipefail
manifest="$(cd "$(dirname "$0")" && pwd)/upstream-schemas.tsv"

usage() { echo "usage: $0 [--verify] DIR" >&2; exit 2; }
verify_only=false
if [ "${1:-}" = "--verify" ]; then verify_only=true; shift; fi
[ $# -eq 1 ] || usage
target="$1"

# "<sha256>  <path>" lines for sha256sum -c, from the manifest's data rows.
checksums() { grep -v '^#' "$manifest" | awk -F'\t' 'NF == 3 { print $2 "  " $1 }'; }

if [ "$verify_only" = false ]; then
  command -v curl >/dev/null || { echo "fetch-upstream-schemas: curl is required" >&2; exit 2; }
  mkdir -p "$target"
  echo "fetch-upstream-schemas: $(checksums | wc -l) files into $target (from raw.githubusercontent.com)"
  # Four downloads at a time; --fail turns a 404 (a moved path upstream) into an error naming the URL.
  if ! grep -v '^#' "$manifest" | awk -F'\t' 'NF == 3 { print $1 "\t" $3 }' |
    while IFS=$'\t' read -r file url; do
      [ -f "$target/$file" ] && continue
      printf '%s\t%s\n' "$file" "$url"
    done |
    xargs -P 4 -L 1 -d '\n' bash -c '
      target="$0" file="${1%%$'"'\t'"'*}" url="${1#*$'"'\t'"'}"
      mkdir -p "$(dirname "$target/$file")"
      curl --fail --silent --show-error --location --retry 3 --proto "=https" -o "$target/$file.part" "$url" ||
        { echo "fetch-upstream-schemas: could not download $url" >&2; exit 255; }
      mv "$target/$file.part" "$target/$file"' "$target"; then
    echo "fetch-upstream-schemas: downloads failed. Behind a proxy, set HTTPS_PROXY; offline, run this where" \
      "GitHub is reachable and copy $target here, then: $0 --verify DIR" >&2
    exit 1
  fi
fi

[ -d "$target" ] || { echo "fetch-upstream-schemas: $target is not a directory" >&2; exit 1; }
if (cd "$target" && checksums | sha256sum --check --quiet --strict); then
  echo "fetch-upstream-schemas: $(checksums | wc -l) files verified in $target"
  [ "$verify_only" = true ] || echo "export MESH_EGRESS_SCHEMAS=$(cd "$target" && pwd)"
else
  echo "fetch-upstream-schemas: $target does not match $manifest (files above are missing or differ)" >&2
  exit 1
fi
