"""Generate the typed package of the Python client (clients/python) from the API's code.

    python scripts/generate_client.py              # what `make client` runs
    python scripts/generate_client.py --output DIR # the same files under DIR instead

It writes two things under clients/python (or DIR):

- `openapi.json`: the OpenAPI description of REST API v1 as the code declares it, read from the
  NinjaAPI object without a server or a database, in a clean environment so that no setting of
  the caller changes it; each operation is named by its view function (`create_order`) instead
  of django-ninja's module-qualified id (`fabflow_orders_api_create_order`), which would name
  the generated modules and models;
- `fabflow_client/generated/`: the package openapi-python-client makes from that description
  with clients/python/generator.yaml, replaced whole on each run. The hand-written layer beside
  it (`fabflow_client/*.py`) is never touched.

tests/clients/test_generated_client.py fails while the committed files differ from a new run.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
CLIENT = REPOSITORY / "clients" / "python"
GENERATOR_CONFIG = CLIENT / "generator.yaml"
SCHEMA_NAME = "openapi.json"
GENERATED_PACKAGE = Path("fabflow_client") / "generated"
COMMAND = "make client"


def operation_names(schema: dict, module_names: list[str]) -> dict:
    """`schema` with each operationId cut to its view function's name: the longest prefix that
    is a module's dotted name written with underscores goes. Two operations of one name fail."""
    prefixes = sorted(
        (name.replace(".", "_") + "_" for name in module_names), key=len, reverse=True
    )
    seen: dict[str, str] = {}
    for path, operations in schema["paths"].items():
        for operation in operations.values():
            qualified = operation["operationId"]
            prefix = next((p for p in prefixes if qualified.startswith(p)), "")
            name = qualified.removeprefix(prefix)
            if name in seen:
                raise SystemExit(f"{path} and {seen[name]} both have an operation named {name!r}")
            seen[name] = path
            operation["operationId"] = name
    return schema


def print_schema() -> None:
    """Print the description as the code declares it (runs in the clean child process)."""
    import django

    django.setup()
    from fabflow.urls import api

    schema = api.get_openapi_schema()
    fabflow_modules = [name for name in sys.modules if name.startswith("fabflow.")]
    json.dump(operation_names(schema, fabflow_modules), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


def read_schema() -> str:
    """The description, read by a child process whose settings are Fabflow's defaults."""
    with tempfile.TemporaryDirectory() as data_dir:
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            # Where the code is found is not a setting: a checkout on the path is the one read.
            "PYTHONPATH": os.environ.get("PYTHONPATH", ""),
            "DJANGO_SETTINGS_MODULE": "fabflow.settings",
            "SECRET_KEY": "openapi-description-only",
            "FABFLOW_DATA_DIR": data_dir,
        }
        return subprocess.run(
            [sys.executable, __file__, "--print-schema"],
            env=environment,
            check=True,
            capture_output=True,
            text=True,
        ).stdout


def generate(root: Path) -> None:
    """Write `openapi.json` and the generated package under `root`."""
    root.mkdir(parents=True, exist_ok=True)
    schema = root / SCHEMA_NAME
    schema.write_text(read_schema())
    package = root / GENERATED_PACKAGE
    package.parent.mkdir(parents=True, exist_ok=True)
    generator = Path(sys.executable).with_name("openapi-python-client")
    subprocess.run(
        [
            str(generator),
            "generate",
            "--path",
            str(schema),
            "--config",
            str(GENERATOR_CONFIG),
            "--meta",
            "none",
            "--output-path",
            str(package),
            "--overwrite",
            "--fail-on-warning",
        ],
        check=True,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=CLIENT, help="folder to write into")
    parser.add_argument("--print-schema", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.print_schema:
        print_schema()
    else:
        generate(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
