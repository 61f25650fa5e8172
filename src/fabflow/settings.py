"""Django settings for Fabflow, all read from the environment through `fabflow.config`.

The embedded default needs no variables at all: a SQLite database and local files under
`./var/` (or FABFLOW_DATA_DIR). Production deployments set FABFLOW_PRODUCTION=true, SECRET_KEY,
DATABASE_URL, ALLOWED_HOSTS and, for scale-out, STORAGE_URL.
"""

from fabflow import config, logs

DATA_DIR = config.data_dir()
IS_PRODUCTION = config.env_bool("FABFLOW_PRODUCTION")

SECRET_KEY = config.secret_key(is_production=IS_PRODUCTION)
DEBUG = config.env_bool("DEBUG")
ALLOWED_HOSTS = config.env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = config.env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin app, its site for the installation's operators only.
    "fabflow.accounts.apps.OperatorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "django_tables2",
    "ninja",
    "fabflow.accounts",
    "fabflow.audit",
    "fabflow.orders",
    "fabflow.flows",
    "fabflow.files",
    "fabflow.webhooks",
    "fabflow.bulk",
    "fabflow.web",
    "fabflow.api",
    "fabflow.operations",
]

MIDDLEWARE = [
    # First, so that every log line of a request carries its id (fabflow.logs).
    "fabflow.operations.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "fabflow.web.middleware.ContentSecurityPolicyMiddleware",
    # Serves the vendored static files from the web processes themselves (no CDN, no proxy).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Operators of the installation reach Django's admin site only.
    "fabflow.accounts.middleware.OperatorGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fabflow.web.errors.ServiceErrorMiddleware",
]

ROOT_URLCONF = "fabflow.urls"
WSGI_APPLICATION = "fabflow.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": config.database(config.database_url())}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = config.env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files come straight from the apps' static folders: no collectstatic step to forget.
# Set STATIC_ROOT only to collect them for a front proxy (`fabflow collectstatic`).
STATIC_ROOT = config.env_str("STATIC_ROOT") or None
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = config.env_str("FABFLOW_MEDIA_ROOT", str(DATA_DIR / "files"))

# Where asset files live: a local folder by default, or s3://bucket/prefix for scale-out.
STORAGE_URL = config.env_str("STORAGE_URL", "")
STORAGES = {
    "default": config.default_storage(STORAGE_URL, media_root=MEDIA_ROOT),
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The largest asset an upload may carry, in bytes.
FABFLOW_MAX_UPLOAD_BYTES = config.env_int("FABFLOW_MAX_UPLOAD_BYTES", 512 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = config.env_int("FABFLOW_MAX_JSON_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# E-mail: with no SMTP host the embedded mode keeps outgoing mail as files in the outbox.
SMTP_HOST = config.env_str("SMTP_HOST")
if SMTP_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = SMTP_HOST
    EMAIL_PORT = config.env_int("SMTP_PORT", 25)
    EMAIL_HOST_USER = config.env_str("SMTP_USER")
    EMAIL_HOST_PASSWORD = config.env_str("SMTP_PASSWORD")
    EMAIL_USE_TLS = config.env_bool("SMTP_STARTTLS")
    EMAIL_USE_SSL = config.env_bool("SMTP_SSL")
    EMAIL_TIMEOUT = config.env_int("SMTP_TIMEOUT", 30)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = DATA_DIR / "outbox"
DEFAULT_FROM_EMAIL = config.env_str("DEFAULT_FROM_EMAIL", "fabflow@localhost")

# Order flows. The address callers outside reach Fabflow at (a connector's updateUrl); whether
# connectors may call loopback and private addresses; DBOS's system database (a SQLite file beside
# the app database in the embedded mode, a `<name>_dbos` PostgreSQL database in scale-out).
FABFLOW_PUBLIC_URL = config.env_str("FABFLOW_PUBLIC_URL", "http://127.0.0.1:8000")
FABFLOW_ALLOW_PRIVATE_WEBHOOKS = config.env_bool("FABFLOW_ALLOW_PRIVATE_WEBHOOKS")
DBOS_SYSTEM_DATABASE_URL = config.env_str(
    "DBOS_SYSTEM_DATABASE_URL", config.dbos_database_url(DATABASES["default"])
)
# This worker's executor id (each worker of a scale-out has its own, kept across restarts) and
# how many tasks one worker process runs at once; the level of DBOS's own log.
FABFLOW_WORKER_ID = config.env_str("FABFLOW_WORKER_ID", "local")
FABFLOW_WORKER_CONCURRENCY = config.env_int("FABFLOW_WORKER_CONCURRENCY", 16)
FABFLOW_DBOS_LOG_LEVEL = config.env_str("FABFLOW_DBOS_LOG_LEVEL", "WARNING")
# How many webhook deliveries one worker process sends at once (threads apart from the flows').
FABFLOW_WEBHOOK_CONCURRENCY = config.env_int("FABFLOW_WEBHOOK_CONCURRENCY", 8)
# The web server (`fabflow web`): its processes, threads per process and access log file ("-"
# for the standard error; none when unset).
FABFLOW_WEB_WORKERS = config.env_int("FABFLOW_WEB_WORKERS", config.default_web_workers())
FABFLOW_WEB_THREADS = config.env_int("FABFLOW_WEB_THREADS", config.DEFAULT_WEB_THREADS)
FABFLOW_ACCESS_LOG = config.env_str("FABFLOW_ACCESS_LOG") or None
# Bulk actions on orders (fabflow.bulk): a job over more orders than the first asks for
# confirmation with the count; none covers more than the second. Flow actions of one
# organization's jobs start at most this many orders a second (they may call its connectors),
# and a worker runs this many jobs at once (one per organization).
FABFLOW_BULK_CONFIRM_OVER = config.env_int("FABFLOW_BULK_CONFIRM_OVER", 100)
FABFLOW_BULK_MAX_ORDERS = config.env_int("FABFLOW_BULK_MAX_ORDERS", 10_000)
FABFLOW_BULK_ORDERS_PER_SECOND = config.env_float("FABFLOW_BULK_ORDERS_PER_SECOND", 20.0)
FABFLOW_BULK_CONCURRENCY = config.env_int("FABFLOW_BULK_CONCURRENCY", 4)
# How often a worker looks for queued flow tasks (the first tasks of new runs), in seconds.
FABFLOW_QUEUE_POLL_SECONDS = config.env_float("FABFLOW_QUEUE_POLL_SECONDS", 0.1)
# Files: on S3, whether downloads redirect to a presigned URL instead of streaming through the
# web process; the folders a `folder` export target may write into.
FABFLOW_PRESIGNED_DOWNLOADS = bool(STORAGE_URL.startswith("s3:")) and config.env_bool(
    "S3_PRESIGNED_DOWNLOADS"
)
FABFLOW_EXPORT_FOLDERS = config.env_list("FABFLOW_EXPORT_FOLDERS", [str(DATA_DIR / "exports")])

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = IS_PRODUCTION and config.env_bool("HTTPS", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind a reverse proxy that terminates TLS: the scheme comes from its X-Forwarded-Proto, so
# that requests count as HTTPS (CSRF's origin and referer checks, absolute links). Only where the
# proxy overwrites the client's own header (docs/operations.md).
if config.env_bool("FABFLOW_TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a proxy every connection comes from the proxy: with this on, the sign-in limit counts
# the client address the proxy appended to X-Forwarded-For instead (fabflow.web.clients).
FABFLOW_TRUST_X_FORWARDED_FOR = config.env_bool("FABFLOW_TRUST_X_FORWARDED_FOR")
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Production mode over HTTPS (HTTPS=true, the default): plain-HTTP requests are redirected to
# HTTPS (the probes excepted: load balancers call them over plain HTTP), and browsers are told to
# use HTTPS only for HSTS_SECONDS, on this host and, with HSTS_INCLUDE_SUBDOMAINS, the hosts
# under it.
SECURE_SSL_REDIRECT = IS_PRODUCTION and config.env_bool("HTTPS", True)
SECURE_REDIRECT_EXEMPT = [r"^(healthz|readyz|metrics)$"]
SECURE_HSTS_SECONDS = config.env_int("HSTS_SECONDS", 365 * 24 * 3600) if SECURE_SSL_REDIRECT else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.env_bool("HSTS_INCLUDE_SUBDOMAINS", True)
# Preloading is for a domain that submits itself to the browsers' list, and is hard to undo: an
# operator's choice (HSTS_PRELOAD), so the deployment check's reminder of it is silenced.
SECURE_HSTS_PRELOAD = config.env_bool("HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# The Content-Security-Policy of every page, in every mode but DEBUG's (fabflow.web.middleware):
# scripts and styles come from Fabflow's static files only, never inline, and no page may be
# framed. Images may be data: addresses (the stylesheet's icons) and, with presigned downloads,
# come from the S3 server that thumbnails redirect to.
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"]
    + (config.presigned_download_origins() if FABFLOW_PRESIGNED_DOWNLOADS else []),
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

# Logs: the message alone (text) or one JSON object per line with the request's or task's
# context (json); see docs/observability.md. A request's id comes from X-Request-ID only when
# a proxy in front is trusted to set it.
LOG_FORMAT = config.env_choice("LOG_FORMAT", logs.LOG_FORMATS, "text")
LOGGING = logs.logging_settings(log_format=LOG_FORMAT, level=config.env_str("LOG_LEVEL"))
FABFLOW_TRUST_REQUEST_ID = config.env_bool("FABFLOW_TRUST_REQUEST_ID")
# The bearer token /metrics asks for; without one /metrics is off (404).
FABFLOW_METRICS_TOKEN = config.env_str("FABFLOW_METRICS_TOKEN")
