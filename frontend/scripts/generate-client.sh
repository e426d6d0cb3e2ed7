#!/usr/bin/env bash
# Generates the dashboard's API client from the API's OpenAPI document:
#   src/client/openapi.json  the document, as `miniredis_api.main.create_app().openapi()` gives it
#   src/client/schema.d.ts   TypeScript types for every path and schema (openapi-typescript);
#                            src/api/http.ts wraps them with openapi-fetch.
# Never edit src/client by hand: change the API, then run `npm run generate-client`.
# `--check` regenerates into a temporary folder and fails when the committed client is stale.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-../.venv/bin/python}"
out=src/client
check=0
[[ "${1:-}" == "--check" ]] && check=1
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# A throw-away development configuration: nothing is read from, or written to, the real var/.
MINIREDIS_ENVIRONMENT=development MINIREDIS_VAR_DIR="$tmp/var" MINIREDIS_DATABASE_URL="" \
  "$PYTHON" - "$tmp/openapi.json" <<'PY'
import json, sys
from miniredis_api.main import create_app
with open(sys.argv[1], "w", encoding="utf-8") as f:
    json.dump(create_app().openapi(), f, indent=2, ensure_ascii=False)
    f.write("\n")
PY
node_modules/.bin/openapi-typescript "$tmp/openapi.json" -o "$tmp/schema.d.ts" --root-types --alphabetize >/dev/null 2>&1 \
  || node_modules/.bin/openapi-typescript "$tmp/openapi.json" -o "$tmp/schema.d.ts"

if ((check)); then
  status=0
  for f in openapi.json schema.d.ts; do
    if ! cmp -s "$tmp/$f" "$out/$f"; then
      echo "stale: frontend/$out/$f differs from the API's OpenAPI; run: cd frontend && npm run generate-client" >&2
      diff -u "$out/$f" "$tmp/$f" 2>/dev/null | head -40 >&2 || true
      status=1
    fi
  done
  ((status == 0)) && echo "the generated API client is up to date"
  exit $status
fi
mkdir -p "$out"
cp "$tmp/openapi.json" "$tmp/schema.d.ts" "$out/"
echo "generated $out/openapi.json and $out/schema.d.ts"
