"""The chart's scan_and_push.py: the real kdeprecate, pushing to a Pushgateway stand-in on 127.0.0.1.

The stand-in speaks the part of the Pushgateway API the script uses (PUT /metrics/job/<job>/<label>/<value>)
and records what it received; the body is read back with Prometheus' own parser.
"""

from __future__ import annotations

import base64
import importlib.util
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "deploy" / "chart" / "kdeprecate" / "files" / "scan_and_push.py"
SCAN = ["scan", "tests/golden/input", "--no-config", "--target", "1.22"]


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("scan_and_push", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Pushgateway:
    """Records each request; answers ``status``."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                gateway.requests.append({"method": "PUT", "path": self.path, "headers": dict(self.headers),
                                         "body": self.rfile.read(length).decode("utf-8")})
                body = b"" if gateway.status == 200 else b"pushed metrics are invalid or inconsistent\n"
                self.send_response(gateway.status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]

    def url(self, credentials: str = "") -> str:
        return f"http://{credentials}127.0.0.1:{self.port}"


@pytest.fixture
def gateway() -> Iterator[Pushgateway]:
    gateway = Pushgateway()
    thread = threading.Thread(target=gateway.server.serve_forever, daemon=True)
    thread.start()
    yield gateway
    gateway.server.shutdown()
    gateway.server.server_close()


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("KDEPRECATE_", "PUSHGATEWAY_"))}
    environment.update(env, NO_COLOR="1", PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=REPO_ROOT, env=environment,
                          capture_output=True, text=True, check=False, timeout=120)


def metrics(body: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    return {family.name: [(dict(s.labels), s.value) for s in family.samples]
            for family in text_string_to_metric_families(body)}


def test_scan_report_is_pushed_with_put_and_credentials_stay_out_of_the_log(gateway: Pushgateway) -> None:
    result = run(SCAN, PUSHGATEWAY_URL=gateway.url("ops:s%40cret@") + "/", PUSHGATEWAY_CLUSTER="prod-eu")
    assert result.returncode == 0, result.stderr  # findings are data: the Job succeeded
    [request] = gateway.requests
    assert request["path"] == "/metrics/job/kdeprecate/cluster/prod-eu"
    assert request["headers"]["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
    assert request["headers"]["Authorization"] == "Basic " + base64.b64encode(b"ops:s@cret").decode()
    pushed = metrics(request["body"])
    assert sum(value for _, value in pushed["kdeprecate_findings"]) == 4
    assert pushed["kdeprecate_scan_errors"] == [({}, 0)]
    assert "removed: Ingress/web (namespace shop)" in result.stdout  # the text report goes to the Job's log
    pushed_line = f"pushed {len(request['body'].encode())} bytes to http://127.0.0.1:{gateway.port}/"
    assert f"{pushed_line} (job=kdeprecate, cluster=prod-eu)" in result.stdout
    assert "cret" not in result.stdout + result.stderr and "ops" not in result.stdout + result.stderr


def test_an_incomplete_scan_is_still_pushed_and_fails_the_job(gateway: Pushgateway) -> None:
    result = run([*SCAN, "missing.yaml"], PUSHGATEWAY_URL=gateway.url())
    assert result.returncode == 2
    assert "missing.yaml" in result.stderr
    [request] = gateway.requests
    assert request["path"] == "/metrics/job/kdeprecate"
    assert metrics(request["body"])["kdeprecate_scan_errors"] == [({}, 1)]


def test_a_refused_push_fails_the_job_with_one_line(gateway: Pushgateway) -> None:
    gateway.status = 400
    result = run(SCAN, PUSHGATEWAY_URL=gateway.url("ops:hunter2@"))
    assert result.returncode == 3
    assert result.stderr.splitlines() == [f"scan_and_push: Pushgateway http://127.0.0.1:{gateway.port} answered 400: "
                                          "pushed metrics are invalid or inconsistent"]
    assert "hunter2" not in result.stdout + result.stderr


def test_an_unreachable_pushgateway_fails_the_job(gateway: Pushgateway) -> None:
    url = gateway.url()
    gateway.server.shutdown()
    gateway.server.server_close()
    result = run(SCAN, PUSHGATEWAY_URL=url)
    assert result.returncode == 3
    assert result.stderr.startswith(f"scan_and_push: cannot reach Pushgateway {url}: ")


def test_without_a_pushgateway_the_report_only_goes_to_the_log(gateway: Pushgateway) -> None:
    result = run(SCAN)
    assert result.returncode == 0 and "4 files, 7 documents" in result.stdout
    assert gateway.requests == []


def test_a_scan_that_cannot_start_pushes_nothing(gateway: Pushgateway) -> None:
    result = run(["scan", "tests/golden/input", "--no-config", "--target", "banana"], PUSHGATEWAY_URL=gateway.url())
    assert result.returncode == 2 and "--target" in result.stderr
    assert gateway.requests == []


def test_grouping_key_values_that_are_not_plain_go_base64() -> None:
    script = load_script()
    assert script.grouping_path("kdeprecate", {"cluster": "eu/prod 1"}) == (
        "/metrics/job/kdeprecate/cluster@base64/" + base64.urlsafe_b64encode(b"eu/prod 1").decode())
    assert script.grouping_path("kdeprecate", {"cluster": ""}) == "/metrics/job/kdeprecate/cluster@base64/="
    request = script.push_request("https://[::1]:9091/base/", "k", {}, b"x")
    assert request.full_url == "https://[::1]:9091/base/metrics/job/k" and request.get_method() == "PUT"
    with pytest.raises(ValueError, match="http:// or https://"):
        script.push_request("pushgateway:9091", "k", {}, b"x")
