"""The API serves the built dashboard at `/`: files as they are, client-side routes (a reload of
`/t/<tenant>/...`) as index.html, and API paths never swallowed by it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import make_settings, start_api, stop_api


@pytest.fixture
def dashboard(tmp_path: Path) -> Path:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "index.html").write_text("<!doctype html><title>MiniRedis</title>")
    (dist / "404.html").write_text("<!doctype html><title>not found</title>")
    (dist / "app.js").write_text("console.log('app')")
    return dist


def test_files_routes_and_api_paths(tmp_path: Path, dashboard: Path) -> None:
    api = start_api(make_settings(tmp_path, f"sqlite:///{tmp_path / 'api.db'}", dashboard_dir=dashboard))
    try:
        assert api.client.get("/").text.startswith("<!doctype html><title>MiniRedis")
        assert api.client.get("/app.js").text == "console.log('app')"
        reload = api.client.get("/t/acme/nodes/123")
        assert reload.status_code == 200 and "<title>MiniRedis</title>" in reload.text
        missing = api.client.get("/api/no-such-endpoint")
        assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
        assert api.client.get("/api/health").json() == {"message": "ok"}
    finally:
        stop_api(api)
