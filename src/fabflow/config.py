"""Reading Fabflow's settings from the environment.

Every setting Fabflow takes from the outside comes through this module, so that one place says
what can be configured, what the defaults are and which values are refused.
"""

import contextlib
import os
import secrets
from dataclasses import dataclass
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


def env_choice(name: str, choices: tuple[str, ...], default: str) -> str:
    """Return the variable `name`, which must be one of `choices` (case-insensitive)."""
    value = env_str(name, default).lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {', '.join(choices)}, not {value!r}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    """Return the comma-separated variable `name` as a list of stripped, non-empty items."""
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or default


def data_dir() -> Path:
    """The folder that holds the embedded database, files and generated secrets."""
    return Path(env_str("FABFLOW_DATA_DIR", "var")).resolve()


# `fabflow web`'s threads per process when FABFLOW_WEB_THREADS is unset.
DEFAULT_WEB_THREADS = 1


def default_web_workers() -> int:
    """`fabflow web`'s processes when FABFLOW_WEB_WORKERS is unset: one per core the process
    may use, at least two."""
    return max(2, len(os.sched_getaffinity(0)))


def database_url() -> str:
    """DATABASE_URL, or the embedded SQLite database in the data folder."""
    return env_str("DATABASE_URL", f"sqlite:///{data_dir() / 'fabflow.sqlite3'}")


def secret_key(*, is_production: bool) -> str:
    """Return SECRET_KEY; in the embedded mode the one kept in the data folder.

    `prepare_data_dir` writes that file when a `fabflow` command starts; reading the settings
    writes nothing. Without the file (Django set up by other means in a new data folder) the
    key is one for this process alone."""
    configured = env_str("SECRET_KEY")
    if configured:
        return configured
    if is_production:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when FABFLOW_PRODUCTION is on; "
            "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    path = _secret_key_path()
    if path.exists():
        return path.read_text().strip()
    return secrets.token_urlsafe(50)


def _secret_key_path() -> Path:
    return data_dir() / "secret_key"


def prepare_data_dir() -> None:
    """What a `fabflow` command makes on disk before Django starts, none of it at import: the
    folder of the embedded SQLite database and, in the embedded mode without SECRET_KEY, the
    secret key file, readable by its owner only (so every process of the installation signs
    with the same key)."""
    url = database_url()
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    if env_str("SECRET_KEY") or env_bool("FABFLOW_PRODUCTION"):
        return
    path = _secret_key_path()
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    # Another process may create it at the same moment: the first one's key stays.
    with contextlib.suppress(FileExistsError):
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))


# Django's SQLite backend, with the writers of a database queued in turn (fabflow/sqlite).
SQLITE_ENGINE = "fabflow.sqlite"
# Django's PostgreSQL backend, reading times Python cannot hold (fabflow/postgresql).
POSTGRESQL_ENGINE = "fabflow.postgresql"


def database(url: str) -> dict:
    """Django's DATABASES['default'] for `url`, tuned for the engine it names."""
    import dj_database_url

    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["ENGINE"] = SQLITE_ENGINE
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
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config["ENGINE"] = POSTGRESQL_ENGINE
        # No JIT compilation: a page's query that the planner prices high (a product search
        # walking rows newest first, at 20,000 orders) spent 1.3 s compiling to run in 0.4 ms.
        options = config.setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
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


def presigned_download_origins() -> list[str]:
    """The origins presigned S3 download addresses have: the S3_ENDPOINT_URL server's, with
    its bucket subdomains (virtual addressing), or AWS's."""
    from urllib.parse import urlsplit

    endpoint = env_str("S3_ENDPOINT_URL")
    if not endpoint:
        return ["https://*.amazonaws.com"]
    parts = urlsplit(endpoint)
    return [f"{parts.scheme}://{parts.netloc}", f"{parts.scheme}://*.{parts.netloc}"]


# --- The declaration of every setting ------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One environment variable Fabflow reads: its default as documented, and what it does.

    `is_secret` settings are masked wherever configuration is shown (`fabflow check`).
    """

    name: str
    default: str
    meaning: str
    is_secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting("FABFLOW_DATA_DIR", "`./var`", "folder of the embedded database, files, outbox and generated secret key"),
    Setting("DATABASE_URL", "`sqlite:///<data dir>/fabflow.sqlite3`", "`postgres://user:pass@host:5432/name` for PostgreSQL"),
    Setting("SECRET_KEY", "generated into the data folder by the first `fabflow` command", "signs sessions and CSRF tokens; required when `FABFLOW_PRODUCTION=true`", is_secret=True),
    Setting("FABFLOW_PRODUCTION", "`false`", "refuses to start without `SECRET_KEY`; secure cookies"),
    Setting("DEBUG", "`false`", "Django's debug pages, with tracebacks; never in production"),
    Setting("ALLOWED_HOSTS", "`127.0.0.1,localhost,[::1]`", "comma-separated host names the server answers"),
    Setting("CSRF_TRUSTED_ORIGINS", "—", "e.g. `https://orders.example.com` behind a proxy"),
    Setting("HTTPS", "`true`", "in production mode, whether the site is served over HTTPS only: secure cookies, plain-HTTP requests redirected, HSTS"),
    Setting("HSTS_SECONDS", "31536000 (a year)", "in production mode over HTTPS, how long browsers keep to HTTPS for this host (`Strict-Transport-Security`)"),
    Setting("HSTS_INCLUDE_SUBDOMAINS", "`true`", "whether that HSTS rule covers the host names under this one too"),
    Setting("HSTS_PRELOAD", "`false`", "adds `preload` to the HSTS rule, for a domain submitted to the browsers' preload list"),
    Setting("FABFLOW_TRUST_X_FORWARDED_PROTO", "`false`", "take `X-Forwarded-Proto: https` as the request's scheme (only behind a TLS proxy that sets it); see [operations.md](operations.md)"),
    Setting("FABFLOW_TRUST_X_FORWARDED_FOR", "`false`", "count sign-in attempts by the client address the proxy appended to `X-Forwarded-For` (only behind a proxy that appends it); see [operations.md](operations.md)"),
    Setting("TIME_ZONE", "`UTC`", "the time zone pages show times in"),
    Setting("STATIC_ROOT", "—", "folder `fabflow collectstatic` copies the static files into, for a front proxy"),
    Setting("FABFLOW_MEDIA_ROOT", "`<data dir>/files`", "where local asset files are kept"),
    Setting("FABFLOW_MAX_UPLOAD_BYTES", "512 MiB", "the largest file an upload may carry"),
    Setting("FABFLOW_MAX_JSON_BYTES", "10 MiB", "the largest request body that is not a file upload"),
    Setting("STORAGE_URL", "local files", "`s3://bucket/prefix` keeps assets in S3; see [files.md](files.md)"),
    Setting("S3_ENDPOINT_URL", "AWS", "any S3-compatible server"),
    Setting("S3_REGION", "—", "the bucket's region"),
    Setting("S3_ADDRESSING_STYLE", "`path` with an endpoint", "`path` or `virtual`"),
    Setting("S3_PRESIGNED_DOWNLOADS", "`false`", "downloads redirect to a presigned S3 address instead of streaming through Fabflow"),
    Setting("S3_PRESIGNED_URL_SECONDS", "300", "how long a presigned download address stays valid"),
    Setting("AWS_ACCESS_KEY_ID", "boto3's usual sources", "the S3 access key"),
    Setting("AWS_SECRET_ACCESS_KEY", "boto3's usual sources", "the S3 secret key", is_secret=True),
    Setting("FABFLOW_EXPORT_FOLDERS", "`<data dir>/exports`", "folders that folder export targets may write into; see [files.md](files.md)"),
    Setting("SMTP_HOST", "—", "outgoing mail server; without it mail is kept in `<data dir>/outbox`"),
    Setting("SMTP_PORT", "25", "the mail server's port"),
    Setting("SMTP_USER", "—", "user name at the mail server"),
    Setting("SMTP_PASSWORD", "—", "password at the mail server", is_secret=True),
    Setting("SMTP_STARTTLS", "`false`", "upgrade the connection with STARTTLS"),
    Setting("SMTP_SSL", "`false`", "connect over TLS from the start"),
    Setting("SMTP_TIMEOUT", "30", "seconds a mail server may take to answer"),
    Setting("DEFAULT_FROM_EMAIL", "`fabflow@localhost`", "sender of Fabflow's e-mails"),
    Setting("FABFLOW_PUBLIC_URL", "`http://<host>:<port>` of `fabflow serve`, else `http://127.0.0.1:8000`", "the address systems outside reach Fabflow at (a connector's `updateUrl`)"),
    Setting("FABFLOW_ALLOW_PRIVATE_WEBHOOKS", "`false`", "lets connectors of every organization call loopback and private addresses"),
    Setting("DBOS_SYSTEM_DATABASE_URL", "a SQLite file beside the app database, or `<name>_dbos` on PostgreSQL", "where the flow engine keeps its durable state"),
    Setting("FABFLOW_WORKER_ID", "`local`", "this worker's executor id; give each worker of a scale-out its own; see [flows.md](flows.md)"),
    Setting("FABFLOW_WORKER_CONCURRENCY", "16", "queued flow tasks a worker runs at once"),
    Setting("FABFLOW_WEBHOOK_CONCURRENCY", "8", "webhook deliveries a worker sends at once; see [api.md](api.md)"),
    Setting("FABFLOW_QUEUE_POLL_SECONDS", "0.1", "how often a worker looks for queued flow tasks"),
    Setting("FABFLOW_BULK_CONFIRM_OVER", "100", "a bulk action over more orders than this asks for confirmation with the exact count; see [ui.md](ui.md)"),
    Setting("FABFLOW_BULK_MAX_ORDERS", "10000", "the most orders one bulk action covers"),
    Setting("FABFLOW_BULK_ORDERS_PER_SECOND", "20", "how many orders a second one organization's bulk flow actions (retry, skip, confirm, start a flow) act on, since they may call its connectors (0: no limit)"),
    Setting("FABFLOW_BULK_CONCURRENCY", "4", "bulk jobs a worker runs at once, one per organization"),
    Setting("FABFLOW_DBOS_LOG_LEVEL", "`WARNING`", "the level of the flow engine's own (DBOS) log"),
    Setting("FABFLOW_WEB_WORKERS", "one per core, at least 2", "web server processes; see [api.md](api.md)"),
    Setting("FABFLOW_WEB_THREADS", "1", "threads per web server process"),
    Setting("FABFLOW_ACCESS_LOG", "—", "file of the web server's access log (`-` for the standard error)"),
    Setting("LOG_LEVEL", "`INFO` for Fabflow, `WARNING` for libraries", "the level of the log; see [observability.md](observability.md)"),
    Setting("LOG_FORMAT", "`text`", "`json` writes one JSON object per line"),
    Setting("FABFLOW_TRUST_REQUEST_ID", "`false`", "take a request's id from its `X-Request-ID` header (only behind a proxy that sets it)"),
    Setting("FABFLOW_METRICS_TOKEN", "— (`/metrics` off)", "the bearer token `/metrics` asks for", is_secret=True),
    Setting("FABFLOW_ADMIN_EMAIL", "`admin@example.com`", "the first start's administrator"),
    Setting("FABFLOW_ADMIN_PASSWORD", "generated", "the first start's administrator's password", is_secret=True),
    Setting("FABFLOW_ORGANIZATION", "`My company`", "the first start's organization"),
    Setting("FABFLOW_TEST_POSTGRES_URL", "—", "tests only: the PostgreSQL server `scripts/with_postgres.py` started"),
)  # fmt: skip

KNOWN_SETTINGS = {setting.name: setting for setting in SETTINGS}
# Variables with these prefixes are Fabflow's: one it does not know is a mistake.
OWNED_PREFIXES = ("FABFLOW_", "SMTP_", "S3_")
# An export target's credentials live in variables named after the target's own prefix.
EXPORT_CREDENTIAL_SUFFIXES = ("_ACCESS_KEY_ID", "_SECRET_ACCESS_KEY")
# A variable this close to a known name (difflib's ratio) is taken for a misspelling of it; one
# with Fabflow's prefixes is compared more loosely, to suggest something.
MISSPELLING_CUTOFF = 0.85
SUGGESTION_CUTOFF = 0.7


def unknown_settings(environ: dict) -> list[tuple[str, str | None]]:
    """The variables of `environ` that look like Fabflow settings but are none, each with the
    known setting closest to it (or None)."""
    import difflib

    found = []
    for name in sorted(environ):
        if name in KNOWN_SETTINGS or name.endswith(EXPORT_CREDENTIAL_SUFFIXES):
            continue
        closest = difflib.get_close_matches(name, KNOWN_SETTINGS, n=1, cutoff=MISSPELLING_CUTOFF)
        if name.startswith(OWNED_PREFIXES) or closest:
            if not closest:
                closest = difflib.get_close_matches(
                    name, KNOWN_SETTINGS, n=1, cutoff=SUGGESTION_CUTOFF
                )
            found.append((name, closest[0] if closest else None))
    return found


def warn_about_unknown_settings(environ: dict | None = None) -> list[str]:
    """Log a warning for each unknown setting in the environment; return the warnings."""
    import logging

    warnings = []
    for name, closest in unknown_settings(os.environ if environ is None else environ):
        hint = f"; did you mean {closest}?" if closest else ""
        warnings.append(f"{name} is not a Fabflow setting and is ignored{hint}")
    logger = logging.getLogger("fabflow.config")
    for warning in warnings:
        logger.warning(warning)
    return warnings


def masked(setting: Setting, value: str) -> str:
    """`value` as it may be shown: a secret as stars, a password inside an address removed."""
    from urllib.parse import urlsplit

    if not value:
        return value
    if setting.is_secret:
        return "********"
    parts = urlsplit(value)
    if parts.password:
        return value.replace(f":{parts.password}@", ":********@", 1)
    return value


def effective_settings(environ: dict | None = None) -> list[tuple[str, str]]:
    """Every setting with the value the environment gives it (masked), or its default."""
    environ = os.environ if environ is None else environ
    shown = []
    for setting in SETTINGS:
        value = environ.get(setting.name, "").strip()
        shown.append(
            (setting.name, masked(setting, value) if value else f"(default) {setting.default}")
        )
    return shown


def settings_table() -> str:
    """The settings table of docs/index.md, in Markdown."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    rows += [f"| `{s.name}` | {s.default} | {s.meaning} |" for s in SETTINGS]
    return "\n".join(rows) + "\n"
