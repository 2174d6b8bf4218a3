"""pytest fixtures for confident-mock: one server for the test session, one organization per test.

Copy this file next to your tests. The session fixture starts the server (the built CLI of a
confident-mock clone, or a container image when CONFIDENT_MOCK_IMAGE is set) on a free loopback port
and waits for /health; or, with CONFIDENT_MOCK_URL set, uses a server you already run. The
function fixture makes each test an organization of its own through the control API and points the
vendor's Python SDK at it (CONFIDENT_BASE_URL, CONFIDENT_ORG_API_KEY), so tests never share state and
can run in parallel (pytest-xdist) against one server.
"""
import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import requests

# The confident-mock clone this recipe sits in; elsewhere, set CONFIDENT_MOCK_CLI to its dist/cli.js.
CLI = Path(os.environ.get("CONFIDENT_MOCK_CLI", Path(__file__).resolve().parents[2] / "dist" / "cli.js"))
# How long the server may take to answer /health before the session gives up (an image may be slower).
STARTUP_SECONDS = float(os.environ.get("CONFIDENT_MOCK_STARTUP_SECONDS", "30"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _command(port: int, token: str) -> list[str]:
    image = os.environ.get("CONFIDENT_MOCK_IMAGE")
    if image:
        engine = shutil.which("docker") or shutil.which("podman")
        if engine is None:
            raise RuntimeError("CONFIDENT_MOCK_IMAGE is set, but neither docker nor podman is on the PATH")
        return [engine, "run", "--rm", "-p", f"127.0.0.1:{port}:4010",
                "-e", "CONFIDENT_MOCK_DATABASE=:memory:", "-e", f"CONFIDENT_MOCK_ADMIN_TOKEN={token}",
                "-e", f"CONFIDENT_MOCK_PUBLIC_URL=http://127.0.0.1:{port}", "-e", "LOG_LEVEL=warn", image]
    if not CLI.is_file():
        raise RuntimeError(f"{CLI} is missing: run `npm ci && npm run build` in the confident-mock clone, or set CONFIDENT_MOCK_CLI")
    return ["node", str(CLI), "serve", "--port", str(port), "--database", ":memory:",
            "--admin-token", token, "--log-level", "warn"]


@pytest.fixture(scope="session")
def confident_mock():
    """{"url", "admin_token"} of a running confident-mock: started for the session and stopped after it."""
    given = os.environ.get("CONFIDENT_MOCK_URL")
    if given:
        yield {"url": given.rstrip("/"), "admin_token": os.environ.get("CONFIDENT_MOCK_ADMIN_TOKEN")}
        return
    port, token = _free_port(), uuid.uuid4().hex
    url = f"http://127.0.0.1:{port}"
    # Its output goes to a file, never to a pipe nobody reads (a full pipe would stall the server).
    with tempfile.TemporaryFile(mode="w+") as output:
        server = subprocess.Popen(_command(port, token), stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while True:
                if server.poll() is not None:
                    output.seek(0)
                    raise RuntimeError(f"confident-mock exited with {server.returncode} before it was healthy:\n{output.read()}")
                try:
                    if requests.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    output.seek(0)
                    raise RuntimeError(f"confident-mock did not answer {url}/health within {STARTUP_SECONDS:.0f} s:\n{output.read()}")
                time.sleep(0.05)
            yield {"url": url, "admin_token": token}
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


@pytest.fixture
def organization(confident_mock, monkeypatch):
    """A new organization with a project "Web", for this test alone; removed after it.

    Sets CONFIDENT_BASE_URL and CONFIDENT_ORG_API_KEY, which the vendor's Python SDK reads, for the
    test's duration. The answer of POST /__admin/organizations, plus "url" and "admin_headers".
    """
    url = confident_mock["url"]
    admin = {"X-Admin-Token": confident_mock["admin_token"]} if confident_mock["admin_token"] else {}
    made = requests.post(f"{url}/__admin/organizations", headers=admin, timeout=10,
                         json={"name": f"pytest {uuid.uuid4().hex[:8]}", "projects": [{"name": "Web"}]})
    made.raise_for_status()
    org = made.json()["data"]
    monkeypatch.setenv("CONFIDENT_BASE_URL", url)
    monkeypatch.setenv("CONFIDENT_ORG_API_KEY", org["apiKey"])
    yield {**org, "url": url, "admin_headers": admin}
    requests.delete(f"{url}/__admin/organizations/{org['id']}", headers=admin, timeout=10)
