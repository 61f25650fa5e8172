"""Durable execution: DBOS as Fabflow uses it, the one module that imports `dbos`.

Everything the flow worker, the preview jobs and the bulk jobs ask of DBOS goes through here:
the system database, creating and launching this process's DBOS, the client a web process
enqueues with, decorating workflows and steps, starting and enqueuing workflows (on the workers'
queue, `enqueue_workflow`), reading a workflow's status and taking over the workflows of a dead
executor, and the work apps offer the workers (`host`). It imports no app, so that every app
may use it.

A few of these rely on names DBOS does not publish; each is used in one function below, with
a comment saying what it relies on, and `PRIVATE_NAMES` lists them with the parameters they are
called with, so that tests/flows/test_dbos_adapter.py fails, naming the attribute, when the
pinned DBOS version (pyproject.toml) no longer has them.
"""

import contextlib
import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

# The names below DBOS's public API that this module calls, as (module, attribute path, the
# parameters it is called with): checked against the installed DBOS by the adapter's test.
PRIVATE_NAMES = (
    ("dbos._dbos", "_get_dbos_instance", ()),
    ("dbos._dbos", "DBOS._sys_db", ()),
    ("dbos._sys_db", "SystemDatabase.get_workflow_status", ("workflow_uuid",)),
    ("dbos._dbos", "DBOS._recover_pending_workflows", ("executor_ids",)),
)

_client = None
_client_lock = threading.Lock()
_launched = False


# --- the system database ------------------------------------------------------------------


def system_database_engine():
    """DBOS's system-database engine; on SQLite with WAL and synchronous=NORMAL.

    DBOS opens SQLite in rollback-journal mode with synchronous=FULL; WAL doubles its
    throughput and lets readers run beside the writer.
    """
    import sqlalchemy as sa

    url = settings.DBOS_SYSTEM_DATABASE_URL
    if not url.startswith("sqlite"):
        return sa.create_engine(
            url.replace("postgresql://", "postgresql+psycopg://", 1),
            pool_size=20,
            max_overflow=10,
            pool_pre_ping=True,
        )
    from fabflow.sqlite import writers

    engine = sa.create_engine(
        url, pool_size=20, max_overflow=10, connect_args=writers.engine_connect_args()
    )
    writers.queue_engine_writers(engine, sa.engine.make_url(url).database)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, record):
        dbapi_connection.isolation_level = "IMMEDIATE"
        dbapi_connection.execute("PRAGMA busy_timeout=30000")
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    return engine


def ensure_postgres_database(url: str) -> None:
    """Create DBOS's PostgreSQL database when it is missing (DBOS does so only for its URL)."""
    if url.startswith("sqlite"):
        return
    import psycopg
    from psycopg import sql

    base, _, name = url.rpartition("/")
    name = name.split("?")[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            # Two workers starting together race here; the loser sees either error.
            with contextlib.suppress(
                psycopg.errors.DuplicateDatabase, psycopg.errors.UniqueViolation
            ):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


# --- this process's DBOS --------------------------------------------------------------------


@dataclass(frozen=True)
class Application:
    """What DBOS records with every workflow: the application's name and code version."""

    name: str
    version: str


def configure(application: Application, *, executor_id: str, log_level: str) -> None:
    """Create this process's DBOS (not launched yet) on the system database."""
    from dbos import DBOS

    url = settings.DBOS_SYSTEM_DATABASE_URL
    ensure_postgres_database(url)
    DBOS(
        config={
            "name": application.name,
            "system_database_url": url,
            "system_database_engine": system_database_engine(),
            "application_version": application.version,
            "executor_id": executor_id,
            "log_level": log_level,
        }
    )


def workflow(name: str) -> Callable:
    """Decorator: register a function as the DBOS workflow `name`."""
    from dbos import DBOS

    return DBOS.workflow(name=name)


def step(name: str, **retries) -> Callable:
    """Decorator: register a function as the DBOS step `name` (DBOS's retry options)."""
    from dbos import DBOS

    return DBOS.step(name=name, **retries)


def sleep(seconds: float) -> None:
    """A durable sleep inside a workflow: a recovered workflow sleeps only the time left."""
    from dbos import DBOS

    DBOS.sleep(seconds)


def current_workflow_id() -> str | None:
    """The id of the workflow this thread runs, if any."""
    from dbos import DBOS

    return DBOS.workflow_id


def is_cancellation(raised: BaseException) -> bool:
    """Whether `raised` is DBOS stopping a workflow (cancelled, or DBOS shutting down)."""
    from dbos import error

    return isinstance(raised, error.DBOSBaseException)


def launch(*, queue_name: str, concurrency: int, polling_seconds: float) -> None:
    """Launch this process's DBOS and start working off the queue `queue_name`."""
    global _launched
    from dbos import DBOS

    DBOS.launch()
    DBOS.register_queue(
        queue_name,
        worker_concurrency=concurrency,
        polling_interval_sec=polling_seconds,
        on_conflict="always_update",
    )
    _launched = True


def register_partitioned_queue(
    queue_name: str, *, concurrency: int, partition_concurrency: int, polling_seconds: float
) -> None:
    """Work off the queue `queue_name` too, running at most `partition_concurrency` workflows
    of any one partition at once (across workers) and `concurrency` in this worker."""
    from dbos import DBOS

    DBOS.register_queue(
        queue_name,
        worker_concurrency=concurrency,
        partition_concurrency=partition_concurrency,
        polling_interval_sec=polling_seconds,
        on_conflict="always_update",
    )


def is_launched() -> bool:
    """Whether DBOS runs in this process (a worker), rather than only its client (a web)."""
    return _launched


def destroy() -> None:
    """Stop this process's DBOS at once, without waiting for its workflows."""
    global _launched
    from dbos import DBOS

    _launched = False
    DBOS.destroy(workflow_completion_timeout_sec=0)


# --- the workers' application and queue ----------------------------------------------------

APP_NAME = "fabflow"
# Workflows record the version of the code that started them and are only resumed by workers of
# that version. Bump this only when a change to the workflow code would replay differently.
APPLICATION_VERSION = "fabflow-flows-2"
APPLICATION = Application(name=APP_NAME, version=APPLICATION_VERSION)
QUEUE_NAME = "fabflow-tasks"


# --- the work the workers host beside the flow tasks ----------------------------------------


@dataclass(frozen=True)
class HostedWork:
    """An app's durable work that the worker processes run beside the flow tasks (the previews
    of uploads, the bulk jobs). The app offers it once, from its AppConfig.ready(), by naming the
    module that holds it; the worker, which imports no such app, imports that module only when
    it needs the work, so that no other process pays for what the work imports (the previews'
    geometry kernel, say). The module offers:

    - `register_workflows()`, called before DBOS launches;
    - `enqueue_lost_jobs(older_than_seconds) -> int`, the sweep's: it enqueues again the jobs
      whose enqueue was lost and answers how many;
    - optionally `register_queues()`, called after DBOS launches, for work that runs on queues
      of its own rather than the workers' queue.
    """

    name: str
    module: str

    def _module(self):
        return importlib.import_module(self.module)

    def register_workflows(self) -> None:
        self._module().register_workflows()

    def register_queues(self) -> None:
        register = getattr(self._module(), "register_queues", None)
        if register is not None:
            register()

    def enqueue_lost(self, older_than_seconds: float) -> int:
        return self._module().enqueue_lost_jobs(older_than_seconds)


_hosted: dict[str, HostedWork] = {}


def host(work: HostedWork) -> None:
    """Have the workers run `work` (offered again under its name, it replaces the first)."""
    _hosted[work.name] = work


def hosted_work() -> list[HostedWork]:
    """The work the apps have offered to the workers, in the order offered."""
    return list(_hosted.values())


# --- starting and enqueuing workflows -------------------------------------------------------


@dataclass(frozen=True)
class Enqueued:
    """A workflow to put on a queue: its registered name, its id and the queue's options."""

    queue_name: str
    workflow_name: str
    workflow_id: str
    application: Application
    priority: int | None = None
    # On a partitioned queue, the partition the workflow runs in.
    partition_key: str | None = None

    def options(self) -> dict:
        """The options DBOS's enqueue calls take."""
        options = {
            "queue_name": self.queue_name,
            "workflow_name": self.workflow_name,
            "workflow_id": self.workflow_id,
            "app_version": self.application.version,
        }
        if self.priority is not None:
            options["priority"] = self.priority
        if self.partition_key is not None:
            options["queue_partition_key"] = self.partition_key
        return options


def enqueue(work: Enqueued, *args) -> None:
    """Enqueue a workflow with `args`; enqueuing an id already known starts nothing new.

    A worker enqueues through its own DBOS, any other process through its client."""
    if _launched:
        from dbos import DBOS

        DBOS.enqueue_workflow_with_options(work.options(), *args)
    else:
        client(work.application).enqueue(work.options(), *args)


def enqueue_workflow(name: str, wid: str, *args, priority: int | None = None) -> None:
    """Enqueue the workflow `name` (registered by the workers) as `wid` on the workers' queue,
    from a worker or from any other process; raises when DBOS cannot be reached."""
    enqueue(
        Enqueued(
            queue_name=QUEUE_NAME,
            workflow_name=name,
            workflow_id=wid,
            application=APPLICATION,
            priority=priority,
        ),
        *args,
    )


def start_workflow(function: Callable, workflow_id: str, *args) -> None:
    """Start the registered workflow `function` under `workflow_id` now, in this process."""
    from dbos import DBOS, SetWorkflowID

    with SetWorkflowID(workflow_id):
        DBOS.start_workflow(function, *args)


def client(application: Application):
    """This process's DBOS client, set up on first use (with the system database's tables)."""
    global _client
    with _client_lock:
        if _client is None:
            from dbos import DBOS, DBOSClient

            url = settings.DBOS_SYSTEM_DATABASE_URL
            ensure_postgres_database(url)
            # A web process may enqueue before any worker has created DBOS's tables.
            DBOS.migrate(url)
            _client = DBOSClient(
                system_database_engine=system_database_engine(), application_name=application.name
            )
        return _client


def has_client() -> bool:
    """Whether this process's client is set up."""
    return _client is not None


# --- reading and recovering workflows -------------------------------------------------------


def workflow_status(workflow_id: str) -> str | None:
    """A workflow's status (PENDING, SUCCESS, …), None when DBOS knows no such workflow.

    Read straight from the system database: inside a workflow this is no step of it
    (DBOS.get_workflow_status would be one, and shift a replay's steps)."""
    # Relies on `dbos._dbos._get_dbos_instance()` (the launched DBOS), its `_sys_db` property
    # (the SystemDatabase) and `SystemDatabase.get_workflow_status(workflow_uuid)`, which
    # answers a dict with "status", or None.
    from dbos._dbos import _get_dbos_instance

    status = _get_dbos_instance()._sys_db.get_workflow_status(workflow_id)
    return status["status"] if status else None


def known_workflow_ids(workflow_ids: list[str]) -> set[str]:
    """Those of `workflow_ids` that DBOS has a workflow for (in any status)."""
    from dbos import DBOS

    return {
        status.workflow_id
        for status in DBOS.list_workflows(
            workflow_ids=list(workflow_ids), load_input=False, load_output=False
        )
    }


def recover_workflows_of(executor_id: str) -> int:
    """Put the unfinished workflows of the dead executor `executor_id` back on their queues,
    for this process's DBOS (or another live one) to go on with; how many there were."""
    # Relies on the classmethod `DBOS._recover_pending_workflows(executor_ids)`, which
    # re-enqueues the PENDING workflows of those executors (of this application version) and
    # answers a handle for each. DBOS has no public call for another executor's recovery.
    from dbos import DBOS

    return len(DBOS._recover_pending_workflows([executor_id]))
