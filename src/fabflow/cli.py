"""The `fabflow` command.

fabflow serve    migrate, create the first admin on a new database, run web and worker
fabflow web      run the web server only (scale-out)
fabflow worker   run the order-flow engine only (scale-out: one or more per machine)
fabflow check    Django's checks, the settings in force, and a try of every service used
fabflow migrate | createadmin | createkey | demo | <any Django management command>
"""

import argparse
import os
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
    command = argv[0] if argv else "help"
    refusal = missing_database(command)
    if refusal:
        print(refusal, file=sys.stderr)
        return 1
    if command not in NEEDS_NO_DJANGO:
        from fabflow import config

        config.prepare_data_dir()
    if command == "serve":
        return serve(argv[1:])
    if command == "web":
        return web(argv[1:])
    if command == "worker":
        return worker(argv[1:])
    if command in {"help", "-h", "--help"}:
        print(__doc__)
        return 0
    return manage(argv)


def manage(argv: list[str]) -> int:
    """Run a Django management command (migrate, createadmin, createkey, demo, shell, …)."""
    from django.core.management import execute_from_command_line

    execute_from_command_line(["fabflow", *argv])
    return 0


# The commands that may make a new database (a new installation, or one restored from a
# backup), and those that need none: every other command refuses to run without one.
CREATES_DATABASE = frozenset({"serve", "migrate", "restore"})
NEEDS_NO_DATABASE = frozenset(
    {"help", "-h", "--help", "version", "--version", "check", "makemigrations", "collectstatic"}
)
# The commands that only print: they prepare no data folder.
NEEDS_NO_DJANGO = frozenset({"help", "-h", "--help", "version", "--version"})


def missing_database(command: str) -> str | None:
    """Why `command` must not run here: the embedded SQLite database it would use does not
    exist, so it would make a new, empty one and fail later with "no such table"."""
    from fabflow import config

    url = config.database_url()
    if command in CREATES_DATABASE | NEEDS_NO_DATABASE or not url.startswith("sqlite:///"):
        return None
    path = Path(url.removeprefix("sqlite:///"))
    if str(path) == ":memory:" or path.exists():
        return None
    return (
        f"fabflow {command}: there is no Fabflow database at {path}.\n"
        f"Fabflow looks for it in FABFLOW_DATA_DIR, which is ./var of the folder the command "
        f"runs in ({Path.cwd()}) unless set.\n"
        "Run the command from the folder of your installation, or point it at the database:\n"
        f"  FABFLOW_DATA_DIR=/path/to/installation/var fabflow {command} …\n"
        f"  DATABASE_URL=postgres://user:password@host/name fabflow {command} …\n"
        "To make a new installation here, run `fabflow serve` (or `fabflow migrate`)."
    )


def public_url(host: str, port: int) -> str:
    """The address `fabflow serve` is reached at: FABFLOW_PUBLIC_URL when set, else its own
    host and port (a wildcard host is reached on this machine at 127.0.0.1)."""
    from fabflow import config

    configured = config.env_str("FABFLOW_PUBLIC_URL")
    if configured:
        return configured.rstrip("/")
    reachable = "127.0.0.1" if host in {"", "0.0.0.0", "::", "[::]"} else host
    if ":" in reachable and not reachable.startswith("["):
        reachable = f"[{reachable}]"
    return f"http://{reachable}:{port}"


def serve(argv: list[str]) -> int:
    """The embedded mode: one command that prepares the database and runs everything."""
    parser = argparse.ArgumentParser(prog="fabflow serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    # Read by the settings of this process and of the web and worker it starts: a connector's
    # updateUrl points at the port Fabflow really serves on.
    os.environ["FABFLOW_PUBLIC_URL"] = public_url(args.host, args.port)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from fabflow.accounts.bootstrap import bootstrap_if_empty

    call_command("migrate", interactive=False, verbosity=0)
    created = bootstrap_if_empty()
    url = f"{settings.FABFLOW_PUBLIC_URL}/"
    if created is not None:
        print(
            "\nA new Fabflow installation was created. Keep these, they are shown only once:\n"
            f"  sign in at      {url}\n"
            f"  e-mail          {created.email}\n"
            f"  password        {created.password}\n"
            f"  product space   {created.space_key}\n"
            f"  API secret key  {created.secret}\n",
            flush=True,
        )
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        print(
            f"No SMTP_HOST set: outgoing e-mail is kept in {settings.EMAIL_FILE_PATH}", flush=True
        )
    print(f"Fabflow is serving at {url} (open it in your browser)", flush=True)
    from fabflow.supervisor import Supervisor

    children = {
        "web": _command("web", "--host", args.host, "--port", str(args.port)),
        "worker": _command("worker"),
    }
    return Supervisor(children).run()


# A request served by a single-threaded (sync) process may run this long before gunicorn stops
# it: long enough for a large export or upload over a slow link.
WEB_TIMEOUT_SECONDS = 300


def web(argv: list[str]) -> int:
    """Serve the WSGI application with gunicorn: single-threaded processes, one per core.

    Django's work is CPU-bound under the GIL, so processes carry the load, not threads: under
    saturation, four threads per process cost each API request about a quarter more CPU than one
    (thread switching at every database call), and the order creates per second fell by as
    much (bench/api.py; docs/api.md). A process serves one request at a time and takes a new
    connection only when idle, so a long download keeps one process busy while the others serve.
    Threads (`FABFLOW_WEB_THREADS` > 1) suit deployments with many slow clients and no buffering
    proxy in front."""
    from django.conf import settings

    parser = argparse.ArgumentParser(prog="fabflow web")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=settings.FABFLOW_WEB_WORKERS)
    parser.add_argument("--threads", type=int, default=settings.FABFLOW_WEB_THREADS)
    args = parser.parse_args(argv)

    from gunicorn.app.base import BaseApplication

    class FabflowWeb(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("threads", args.threads)
            self.cfg.set("worker_class", "gthread" if args.threads > 1 else "sync")
            self.cfg.set("accesslog", settings.FABFLOW_ACCESS_LOG)
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("timeout", WEB_TIMEOUT_SECONDS)
            if "control_socket_disable" in self.cfg.settings:
                # gunicorn 25+ would open a control socket in the user's home, one path for
                # every installation on the machine; Fabflow does not use it.
                self.cfg.set("control_socket_disable", True)

        def load(self):
            from fabflow.wsgi import application

            return application

    FabflowWeb().run()
    return 0


def worker(argv: list[str]) -> int:
    """Run the order-flow engine: DBOS's queue workers plus timeouts, recovery and take-over."""
    parser = argparse.ArgumentParser(prog="fabflow worker")
    parser.add_argument(
        "--id",
        default=None,
        help="this worker's executor id (FABFLOW_WORKER_ID when not given); give each worker of "
        "a scale-out its own, kept across restarts",
    )
    parser.add_argument("--concurrency", type=int, default=None)
    args = parser.parse_args(argv)

    import django

    django.setup()
    from fabflow.flows.worker import run_worker

    return run_worker(executor_id=args.id, concurrency=args.concurrency)


def _command(*argv: str) -> list[str]:
    """The command line that runs `fabflow <argv>` with this Python."""
    return [sys.executable, "-m", "fabflow.cli", *argv]


if __name__ == "__main__":
    sys.exit(main())
