"""REST API v1 over real HTTP: a live server, concurrent clients, a schema-based fuzz run, and
the examples of docs/api.md."""

import json
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from tests.api.conftest import order_body
from tests.api.live import live_server

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with live_server(tmp_path_factory.mktemp("live")) as running:
        yield running


@pytest.fixture
def api(server):
    with httpx.Client(
        base_url=f"{server.url}/api/v1",
        headers={"Authorization": f"Bearer {server.secret}"},
        timeout=60,
    ) as client:
        yield client


def test_twenty_parallel_creates_of_one_name_make_one_order(api):
    body = order_body("Parallel 1")

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda _: api.post("/orders", json=body), range(20)))

    statuses = sorted(response.status_code for response in responses)
    assert statuses == [200] * 19 + [201]
    assert len({response.json()["id"] for response in responses}) == 1
    listed = api.get("/orders", params={"search": "parallel 1"}).json()["items"]
    assert [order["name"] for order in listed] == ["Parallel 1"]


def test_parallel_creates_of_different_names_all_land(api):
    names = [f"Different {index}" for index in range(20)]

    with ThreadPoolExecutor(max_workers=20) as pool:
        responses = list(pool.map(lambda name: api.post("/orders", json=order_body(name)), names))

    assert [response.status_code for response in responses] == [201] * 20
    listed = api.get("/orders", params={"search": "different", "limit": 100}).json()["items"]
    assert sorted(order["name"] for order in listed) == sorted(names)


def test_interactive_docs_work_without_a_network(server):
    page = httpx.get(f"{server.url}/api/v1/docs")

    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(source.startswith("/") for source in sources), sources
    for source in sources:
        assert httpx.get(f"{server.url}{source}").status_code == 200, source
    assert httpx.get(f"{server.url}/api/v1/openapi.json").json()["info"]["title"] == "Fabflow API"


@pytest.mark.timeout(300)
def test_a_stateful_schema_based_fuzz_run_finds_nothing(server, api, tmp_path):
    # Something to find for the operations that read one object before any create succeeds.
    api.post("/orders", json=order_body("Fuzz seed"))
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("st")),
            "run",
            f"{server.url}/api/v1/openapi.json",
            "--header",
            f"Authorization: Bearer {server.secret}",
            "--checks",
            "not_a_server_error,response_schema_conformance,status_code_conformance",
            # The stateful phase follows the OpenAPI links from `POST /orders` to the ids it
            # answers: reads, changes, flows and uploads are then called on real objects.
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-time",
            "100",
            # NUL characters are refused wherever they stand (tests/security/test_bounds.py);
            # bodies without them reach further.
            "--generation-allow-x00",
            "false",
            "--workers",
            "2",
            "--request-timeout",
            "30",
            "--seed",
            "20261127",
            "--no-color",
            "--report",
            "har",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=280,
        cwd=tmp_path,
    )
    output = result.stdout + result.stderr
    summary = output[output.find("SUMMARY") :]
    assert "passed" in summary and "generated" in summary, fuzz_report(output)
    assert "Failures:" not in summary, fuzz_report(output)
    assert "✅ Stateful" in summary, fuzz_report(output)
    # Errors of schemathesis itself ("Runtime Error", a crash inside the generator) say nothing
    # about the API; any other (a network error, a timeout) does.
    errors = re.findall(r"🚫 ([^:\n]+):", summary)
    assert set(errors) <= {"Runtime Error"}, fuzz_report(output)
    calls = answered_calls(next(tmp_path.glob("*.json")))
    orders = {order["id"] for order in api.get("/orders", params={"limit": 500}).json()["items"]}
    # Real ids reached the calls on one object: a file was uploaded, a change saved, and a flow
    # asked to start on an order that exists.
    assert any(path[2:] == ["assets"] and status == 201 for _, path, status in calls)
    assert any(method == "PATCH" and status == 200 for method, _, status in calls)
    assert any(path[2:] == ["flow"] and path[1] in orders for _, path, _ in calls)


def answered_calls(har: Path) -> list[tuple[str, list[str], int]]:
    """(method, path under /api/v1 split at its slashes, status) of every call a HAR report holds."""
    entries = json.loads(har.read_text())["log"]["entries"]
    return [
        (
            entry["request"]["method"],
            urlsplit(entry["request"]["url"]).path.removeprefix("/api/v1/").split("/"),
            entry["response"]["status"],
        )
        for entry in entries
    ]


def fuzz_report(output: str) -> str:
    """The failures and the summary of a schemathesis run, without its internal tracebacks."""
    failures = output.find("FAILURES")
    summary = output.find("SUMMARY")
    return output[failures : failures + 15000] + "\n…\n" + output[summary:]


def doc_examples() -> list[str]:
    return re.findall(r"```bash\n(.*?)```", DOCS.read_text(), flags=re.DOTALL)


def test_the_quickstart_of_docs_api_md_runs(server, tmp_path):
    examples = doc_examples()
    assert len(examples) == 3
    script = "set -euo pipefail\n" + "\n".join(examples)
    env = {
        "PATH": "/usr/bin:/bin",
        "FABFLOW_URL": server.url,
        "FABFLOW_KEY": server.secret,
        "HOME": str(tmp_path),
    }
    (tmp_path / "ring.stl").write_bytes(b"solid ring\nendsolid ring\n")

    result = subprocess.run(
        ["bash", "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert '"name":"Webshop order 1001"' in result.stdout
    assert '"status":"created"' in result.stdout
    assert (tmp_path / "downloaded.stl").read_bytes() == b"solid ring\nendsolid ring\n"
