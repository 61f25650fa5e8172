"""docs/operations.md: its commands run, its proxy configurations are valid, and what its
install steps name exists."""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.flows.conftest import free_port
from tests.servers import first_answer

REPOSITORY = Path(__file__).resolve().parents[2]
GUIDE = REPOSITORY / "docs" / "operations.md"
CERTIFICATE = "/etc/letsencrypt/live/orders.example.com/fullchain.pem"
PRIVATE_KEY = "/etc/letsencrypt/live/orders.example.com/privkey.pem"


PRODUCTION = "Production mode and its settings"
PROXY = "A reverse proxy with TLS"
SYSTEMD = "systemd units"
REHEARSAL = "The production rehearsal"


def blocks(section: str, language: str) -> list[str]:
    """The code blocks fenced as `language` in the guide's section `section`, in order."""
    (text,) = re.findall(
        rf"^## {re.escape(section)}\n(.*?)(?=^## |\Z)", GUIDE.read_text(), re.S | re.M
    )
    return re.findall(rf"^```{language}\n(.*?)^```$", text, re.S | re.M)


def production_environment(data_dir: Path) -> dict[str, str]:
    """deploy/fabflow.env.example's settings on one machine: SQLite and files in `data_dir`."""
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("FABFLOW_", "SMTP_", "S3_", "AWS_", "DATABASE_URL"))
    }
    for line in (REPOSITORY / "deploy" / "fabflow.env.example").read_text().splitlines():
        name, equals, value = line.partition("=")
        if equals and not line.startswith("#"):
            env[name] = value
    env.pop("SMTP_HOST")
    env["FABFLOW_DATA_DIR"] = str(data_dir)
    # `fabflow` on the PATH, as in the installed virtual environment.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return env


def run_block(block: str, env: dict[str, str]) -> str:
    finished = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block], env=env, capture_output=True, text=True
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    return finished.stdout


def test_the_shell_blocks_are_the_ones_these_tests_run():
    secret, first_steps = blocks(PRODUCTION, "sh")
    assert secret.startswith("python3 -c")
    assert first_steps.startswith("fabflow migrate\n")
    # tests/operations/test_rehearsal.py runs the rehearsal's command line.
    (rehearsal,) = blocks(REHEARSAL, "sh")
    assert rehearsal.startswith("python scripts/rehearsal.py ")


def test_the_secret_key_command_prints_a_long_random_key(tmp_path):
    secret, _first_steps = blocks(PRODUCTION, "sh")
    keys = {run_block(secret, production_environment(tmp_path)).strip() for _ in range(2)}
    assert len(keys) == 2
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{60,}", key) for key in keys)


def test_the_first_steps_make_an_organization_its_admin_a_space_and_a_key(tmp_path):
    _secret, first_steps = blocks(PRODUCTION, "sh")
    printed = run_block(first_steps, production_environment(tmp_path)).splitlines()
    # `fabflow migrate` lists the migrations it applied; then one line from each command.
    assert printed[0] == "Operations to perform:"
    admin, space, key = printed[-3:]
    assert admin.startswith("Created admin admin@example.com of Example Rings; password: ")
    assert space == "Created product space rings of Example Rings"
    assert re.fullmatch(r"ffk_[0-9a-f]{12}_\S+", key)


def test_the_install_steps_name_the_files_of_deploy_and_its_units():
    install, enable = blocks(SYSTEMD, "shell")
    named = set(re.findall(r"deploy/\S+", install))
    assert named == {
        "deploy/fabflow.env.example",
        "deploy/fabflow-web.service",
        "deploy/fabflow-worker@.service",
    }
    assert all((REPOSITORY / path).is_file() for path in named)
    assert shlex.split(enable) == [
        "systemctl",
        "enable",
        "--now",
        "fabflow-web",
        "fabflow-worker@1",
    ]


def test_the_caddy_configuration_is_valid(tmp_path):
    (caddyfile,) = blocks(PROXY, "caddy")
    (tmp_path / "Caddyfile").write_text(caddyfile)
    env = {**os.environ, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path)}
    env["XDG_CONFIG_HOME"] = str(tmp_path)
    validated = subprocess.run(
        ["caddy", "validate", "--config", "Caddyfile", "--adapter", "caddyfile"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert validated.returncode == 0, validated.stderr
    assert validated.stdout == "Valid configuration\n"


@pytest.fixture
def certificate(tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    request = [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=orders.example.com",
    ]
    subprocess.run(
        ["openssl", *request, "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_the_nginx_configuration_is_valid(tmp_path, certificate):
    (site,) = blocks(PROXY, "nginx")
    assert CERTIFICATE in site and PRIVATE_KEY in site
    site = site.replace(CERTIFICATE, str(certificate[0])).replace(PRIVATE_KEY, str(certificate[1]))
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    tested = subprocess.run(
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert tested.returncode == 0, tested.stderr
    assert "test is successful" in tested.stderr


def nginx_site(tmp_path, certificate, *, tls_port: int, plain_port: int, web_port: int) -> Path:
    """The guide's nginx configuration on this machine's free ports, in a file of its own."""
    (site,) = blocks(PROXY, "nginx")
    replacements = {
        CERTIFICATE: str(certificate[0]),
        PRIVATE_KEY: str(certificate[1]),
        "listen 443 ssl;": f"listen 127.0.0.1:{tls_port} ssl;",
        "listen 80;": f"listen 127.0.0.1:{plain_port};",
        "http://127.0.0.1:8000;": f"http://127.0.0.1:{web_port};",
    }
    for old, new in replacements.items():
        assert old in site
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\ndaemon off;\nevents {{}}\n"
        f"http {{\n  access_log off;\n  include {tmp_path}/site.conf;\n}}\n"
    )
    return tmp_path / "nginx.conf"


def test_through_the_guides_nginx_the_sign_in_form_works_over_https(tmp_path, certificate):
    env = production_environment(tmp_path)
    subprocess.run([sys.executable, "-m", "fabflow.cli", "migrate", "-v0"], env=env, check=True)
    web_port, tls_port, plain_port = free_port(), free_port(), free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "fabflow.cli", "web", "--port", str(web_port), "--workers", "1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    configuration = nginx_site(
        tmp_path, certificate, tls_port=tls_port, plain_port=plain_port, web_port=web_port
    )
    nginx = subprocess.Popen(["nginx", "-c", str(configuration), "-p", str(tmp_path)])
    try:
        first_answer(f"http://127.0.0.1:{web_port}/healthz", process=web, timeout=90)
        site = {"headers": {"Host": "orders.example.com"}, "verify": False}
        plain = first_answer(
            f"http://127.0.0.1:{plain_port}/sign-in/", process=nginx, timeout=90, **site
        )
        assert plain.status_code == 301
        assert plain.headers["location"] == "https://orders.example.com/sign-in/"
        with httpx.Client(base_url=f"https://127.0.0.1:{tls_port}", **site) as browser:
            page = browser.get("/sign-in/")
            assert page.status_code == 200
            answer = browser.post(
                "/sign-in/",
                data={
                    "email": "nobody@example.com",
                    "password": "not the password",
                    "csrfmiddlewaretoken": browser.cookies["csrftoken"],
                },
                headers={
                    "Origin": "https://orders.example.com",
                    "Referer": "https://orders.example.com/sign-in/",
                },
            )
        # Past CSRF (which would answer 403) to the sign-in itself, which refuses the password.
        assert answer.status_code == 401
    finally:
        for process in (nginx, web):
            process.terminate()
        assert web.wait(timeout=30) == 0
        nginx.wait(timeout=30)
