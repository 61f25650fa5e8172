"""The committed Python client is the one the API's code generates today."""

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
CLIENT = REPOSITORY / "clients" / "python"
GENERATED = ["openapi.json", "fabflow_client/generated"]
REGENERATE = (
    "the Python client is stale: run `make client` (or `.venv/bin/python "
    "scripts/generate_client.py`) and commit clients/python"
)


def files_under(root: Path) -> dict[str, bytes]:
    """Every generated file under `root` by its relative path, caches left out."""
    files = {}
    for name in GENERATED:
        path = root / name
        for file in [path] if path.is_file() else sorted(path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts:
                files[file.relative_to(root).as_posix()] = file.read_bytes()
    return files


def test_the_committed_client_matches_the_api(tmp_path):
    subprocess.run(
        [sys.executable, "scripts/generate_client.py", "--output", str(tmp_path)],
        cwd=REPOSITORY,
        check=True,
        capture_output=True,
    )

    fresh = files_under(tmp_path)
    committed = files_under(CLIENT)

    assert "fabflow_client/generated/api/orders/create_order.py" in fresh
    differing = sorted(
        name for name in fresh.keys() | committed.keys() if fresh.get(name) != committed.get(name)
    )
    assert differing == [], f"{REGENERATE}; these differ: {', '.join(differing)}"
