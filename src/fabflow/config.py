"""Reading Fabflow's settings from the environment.

Every setting Fabflow takes from the outside comes through this module, so that one place says
what can be configured, what the defaults are and which values are refused.
"""

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    """Return the variable `name`, or `default` when it is unset or empty."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable `name` read as a boolean (1/true/yes/on and 0/false/no/off)."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true or false), not {raw!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable `name` read as an integer."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_float(name: str, default: float) -> float:
    """Return the variable `name` read as a number."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    """Return the comma-separated variable `name` as a list of stripped, non-empty items."""
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or default


def data_dir() -> Path:
    """The folder that holds the embedded database, files and generated secrets."""
    return Path(env_str("FABFLOW_DATA_DIR", "var")).resolve()


def secret_key(*, is_production: bool) -> str:
    """Return SECRET_KEY; in the embedded mode generate one once and keep it in the data folder."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    if is_production:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when FABFLOW_PRODUCTION is on; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    path = data_dir() / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Create the file readable by its owner only; another process may win the race, so read back.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


# Django's SQLite backend, with the writers of a database queued in turn (fabflow/sqlite).
SQLITE_ENGINE = "fabflow.sqlite"


def database(url: str) -> dict:
    """Django's DATABASES['default'] for `url`, tuned for the engine it names."""
    import dj_database_url

    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = SQLITE_ENGINE
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["CONN_MAX_AGE"] = 0 if config["NAME"] == ":memory:" else 600
        config["CONN_HEALTH_CHECKS"] = False
        config["OPTIONS"] = {
            # IMMEDIATE takes the write lock when a transaction starts, so concurrent writers
            # queue on the busy timeout instead of failing with "database is locked" mid-way.
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA cache_size=-64000;"
                "PRAGMA temp_store=MEMORY;"
                # Checkpoint every 16,000 pages (64 MiB) instead of 1,000: an order's commit
                # touches ~30 index pages, mostly the same hot leaves, and a rarer checkpoint
                # copies each of them once. Measured: create_order 690 → 870 orders/s.
                "PRAGMA wal_autocheckpoint=16000;"
                "PRAGMA journal_size_limit=67108864;"
            ),
        }
    return config


def dbos_database_url(database: dict) -> str:
    """DBOS's system database for the app database `database` (Django's DATABASES entry).

    In the embedded mode a SQLite file beside the app's own; on PostgreSQL a database named
    `<name>_dbos` on the same server.
    """
    from urllib.parse import quote

    if database["ENGINE"] == SQLITE_ENGINE:
        name = str(database["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            return f"sqlite:///{data_dir() / 'dbos.sqlite3'}"
        base = name[: -len(".sqlite3")] if name.endswith(".sqlite3") else name
        return f"sqlite:///{base}_dbos.sqlite3"
    user = quote(database.get("USER") or "", safe="")
    password = quote(database.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database.get("HOST") or "localhost"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"postgresql://{credentials}{host}{port}/{database['NAME']}_dbos"


def default_storage(storage_url: str, *, media_root: str) -> dict:
    """Django's STORAGES['default'] for STORAGE_URL: local files, or `s3://bucket/prefix`.

    S3 takes S3_ENDPOINT_URL (any S3-compatible server; AWS when unset), S3_REGION,
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or boto3's usual sources when unset),
    S3_ADDRESSING_STYLE (path by default with an endpoint, as most non-AWS servers need) and
    S3_PRESIGNED_URL_SECONDS, how long a presigned download link stays valid.
    """
    from urllib.parse import urlsplit

    if not storage_url:
        # No location option: the storage follows MEDIA_ROOT (FABFLOW_MEDIA_ROOT).
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if storage_url.startswith("file:"):
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": urlsplit(storage_url).path or media_root},
        }
    parts = urlsplit(storage_url)
    if parts.scheme != "s3" or not parts.netloc:
        raise ImproperlyConfigured(
            f"STORAGE_URL must be s3://bucket/prefix or file:///folder, not {storage_url!r}"
        )
    endpoint_url = env_str("S3_ENDPOINT_URL") or None
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": parts.netloc,
            "location": parts.path.strip("/"),
            "endpoint_url": endpoint_url,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "addressing_style": env_str("S3_ADDRESSING_STYLE", "path" if endpoint_url else "")
            or None,
            "signature_version": "s3v4",
            # Stored names hold the asset's id, so they never collide: skip the existence check.
            "file_overwrite": True,
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": env_int("S3_PRESIGNED_URL_SECONDS", 300),
        },
    }
