"""A live Fabflow server and a headless Chromium for the browser tests.

The server is a real `fabflow web` process (gunicorn) on a free port of 127.0.0.1, over its own
database: a SQLite file, or a fresh database on the PostgreSQL cluster the suite runs against.
The browser is the system's Chromium, driven through Playwright (never a downloaded browser).
"""

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

# An assertion on the page retries until it holds: under the load of a whole test run (the
# browser, the server, its worker and a database on two cores) a page can take seconds to answer.
expect.set_options(timeout=15_000)

# Chromium's page process can die under a test ("page crashed": a fault of the browser's process,
# never an assertion about Fabflow). Such a test, and only such a test, runs once more; the run's
# summary lists it as rerun, so a crash that came back every time would still fail the suite.
BROWSER_CRASHED = r"(?i)(page|target) crashed"


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.flaky(reruns=1, only_rerun=[BROWSER_CRASHED]))


REPOSITORY = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPOSITORY / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("The browser tests need Debian's chromium package (apt-get install chromium)")


def server_environment(database_url: str, data_dir: Path) -> dict:
    """The environment of the live server's processes over a database and a data folder."""
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        FABFLOW_DATA_DIR=str(data_dir),
        SECRET_KEY="e2e-secret-key-not-for-production",
        TIME_ZONE="UTC",
        # A bulk action over more than a few orders asks first, so the walks reach that page.
        FABFLOW_BULK_CONFIRM_OVER="3",
    )
    env.pop("DEBUG", None)
    return env


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory):
    """A migrated and seeded database and data folder, made once: each module's server starts
    from a copy of them, so no module sees what another one changed."""
    postgres = os.environ.get("FABFLOW_TEST_POSTGRES_URL")
    data_dir = tmp_path_factory.mktemp("e2e-template-data")
    if postgres:
        database = create_postgres_database(
            postgres, f"fabflow_e2e_template_{uuid.uuid4().hex[:8]}"
        )
    else:
        database = f"sqlite:///{tmp_path_factory.mktemp('e2e-template-db') / 'fabflow.sqlite3'}"
    env = server_environment(database, data_dir)
    run = {"env": env, "cwd": REPOSITORY, "check": True, "capture_output": True, "text": True}
    subprocess.run([sys.executable, "-m", "fabflow.cli", "migrate", "-v", "0"], **run)
    seeded = json.loads(subprocess.run([sys.executable, "-m", "tests.e2e.seed"], **run).stdout)
    yield {"database": database, "data_dir": data_dir, "seeded": seeded}
    if postgres:
        drop_postgres_database(database)


def create_postgres_database(postgres: str, name: str, *, template: str | None = None) -> str:
    """Create a database on the suite's PostgreSQL cluster (a copy of `template`); its URL."""
    import psycopg

    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(postgres, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"{copy}')
    return f"{postgres.rsplit('/', 1)[0]}/{name}"


def drop_postgres_database(url: str) -> None:
    """Drop a database of the suite's cluster, and the flow engine's beside it."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(os.environ["FABFLOW_TEST_POSTGRES_URL"], autocommit=True) as connection:
        for database in (name, f"{name}_dbos"):
            connection.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server_database(seeded_template, tmp_path_factory):
    """The DATABASE_URL of this module's copy of the seeded database, which its server alone
    uses: a copy of the SQLite file, or a PostgreSQL database made from the template."""
    template = seeded_template["database"]
    if template.startswith("sqlite:///"):
        copy = tmp_path_factory.mktemp("e2e-db") / "fabflow.sqlite3"
        source = sqlite3.connect(template.removeprefix("sqlite:///"))
        with closing(source), closing(sqlite3.connect(copy)) as target:
            source.backup(target)
        yield f"sqlite:///{copy}"
        return
    postgres = os.environ["FABFLOW_TEST_POSTGRES_URL"]
    name = f"fabflow_e2e_{uuid.uuid4().hex[:12]}"
    url = create_postgres_database(postgres, name, template=template.rsplit("/", 1)[1])
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="module")
def fabflow_server(tmp_path_factory, seeded_template, server_database):
    """A `fabflow web` server of this module over its copy of the seeded database and files:
    its base URL, its processes' environment and the seeded ids."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    shutil.copytree(seeded_template["data_dir"], data_dir, dirs_exist_ok=True)
    env = server_environment(server_database, data_dir)
    seeded = seeded_template["seeded"]
    port = free_port()
    log = open(data_dir / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "web", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "1", "--threads", "4"],
        env=env, cwd=REPOSITORY, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    try:
        for _attempt in range(200):
            try:
                httpx.get(f"{url}/sign-in/", timeout=1)
                break
            except httpx.TransportError:
                if server.poll() is not None:
                    break
                time.sleep(0.1)
        else:
            pytest.fail("The live server did not start")
        if server.poll() is not None:
            pytest.fail((data_dir / "server.log").read_text())
        yield {"url": url, "environment": env, **seeded}
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


# Module scope: Playwright's event loop must be gone before other tests use the Django ORM.
@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


# Every page reports what its Content-Security-Policy blocked; a test's pages must block nothing.
REPORT_POLICY_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportPolicyViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${event.sourceFile}:${event.lineNumber}`
  );
});
"""


@pytest.fixture
def page(browser, fabflow_server):
    context = browser.new_context(
        base_url=fabflow_server["url"],
        viewport={"width": 1366, "height": 860},
        accept_downloads=True,
    )
    violations = []
    context.expose_function("reportPolicyViolation", lambda text: violations.append(text))
    context.add_init_script(REPORT_POLICY_VIOLATIONS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.set_default_timeout(10_000)
    yield page
    context.close()
    assert violations == [], "\n".join(violations)


def screenshot(page, name: str) -> None:
    """Save what the page shows under test-output/screenshots/ (a CI artefact)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
