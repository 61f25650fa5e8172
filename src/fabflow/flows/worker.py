"""The flow worker: DBOS runs the automatic tasks of a flow run durably.

Shape (kept after measuring it against a workflow per task, see bench/flows.py and the "Design"
section of docs/flows.md): the first automatic tasks of a run, and tasks an operator's action
sets going, are enqueued as the workflow `task-<task id>-<attempt>` on the queue
`fabflow-tasks`. The workflow marks the task running, runs the handler as a checkpointed step
(retries with exponential backoff, each failed try recorded, a durable sleep between them), then
finishes the task, creates the following ones and begins its *inline successor* (the first
automatic task it created: of its `next` list, or of the stage it entered) in one
application-database transaction, and goes on with that successor in the same workflow. So a
chain of automatic tasks is one workflow, like a workflow per flow run, and a successor starts
without a queue in between. The other new automatic tasks (parallel `next` tasks, the rest of a
stage) start at once in the same worker as workflows of their own, not through the queue.

The transitions are idempotent and need no checkpoint of their own: the handler's step is the
only durable step. A replayed workflow re-plans the tasks it already finished so that it calls
the same steps in the same order, and goes on through the successor the first execution began
(recorded as the successor's `continues_from`, see `engine.resume_after`).

Manual tasks and connectors waiting for feedback hold no workflow: they wait as rows, and the
service that confirms them enqueues what follows. A sweep in every worker marks overdue tasks
(orders become Unhealthy), re-enqueues pending tasks whose start was lost, and takes over the
workflows of workers that stopped heart-beating.
"""

import contextlib
import logging
import os
import socket
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import (
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.utils import timezone

from fabflow import logs

logger = logging.getLogger(__name__)

APP_NAME = "fabflow"
# Workflows record the version of the code that started them and are only resumed by workers of
# that version. Bump this only when a change to the workflow code would replay differently.
APPLICATION_VERSION = "fabflow-flows-2"
QUEUE_NAME = "fabflow-tasks"
WORKFLOW_NAME = "fabflow.task"
# Priorities on the queue (lower runs first): work of runs already going (tasks that follow a
# finished one, retries) passes the first tasks of new runs, so a burst of new orders does not
# hold up the orders in progress.
PRIORITY_FOLLOWING = 1
PRIORITY_NEW_RUN = 10
# The shape measured against in bench/flows.py: 0 gives every task a workflow of its own.
INLINE_SUCCESSORS = os.environ.get("FABFLOW_INLINE_SUCCESSORS", "1") != "0"
SWEEP_INTERVAL_SECONDS = 0.25
LOST_ENQUEUE_AFTER_SECONDS = 5.0
HEARTBEAT_INTERVAL_SECONDS = 2.0
DEAD_AFTER_SECONDS = 15.0
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 300.0

_client = None
_client_lock = threading.Lock()
_launched = False


def workflow_id(task_id: str, attempt: int) -> str:
    return f"task-{task_id}-{attempt}"


def backoff_seconds(failures: int) -> float:
    """The pause after the `failures`-th failed try: 0.5 s, 1 s, 2 s, … up to 5 minutes."""
    return min(BACKOFF_BASE_SECONDS * (2 ** (failures - 1)), BACKOFF_MAX_SECONDS)


# --- the system database ------------------------------------------------------------------


def system_database_engine():
    """DBOS's system-database engine; on SQLite with WAL and synchronous=NORMAL.

    DBOS opens SQLite in rollback-journal mode with synchronous=FULL; WAL doubles its
    throughput and lets readers run beside the writer.
    """
    import sqlalchemy as sa

    url = settings.DBOS_SYSTEM_DATABASE_URL
    if not url.startswith("sqlite"):
        engine = sa.create_engine(
            url.replace("postgresql://", "postgresql+psycopg://", 1),
            pool_size=20,
            max_overflow=10,
            pool_pre_ping=True,
        )
        _count_transactions(engine)
        return engine
    from fabflow.sqlite import writers

    engine = sa.create_engine(
        url, pool_size=20, max_overflow=10, connect_args=writers.engine_connect_args()
    )
    writers.queue_engine_writers(engine, sa.engine.make_url(url).database)
    _count_transactions(engine)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, record):
        dbapi_connection.isolation_level = "IMMEDIATE"
        dbapi_connection.execute("PRAGMA busy_timeout=30000")
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    return engine


# Transactions on the system database, counted for the flow benchmark (see `write_counters`).
# The queue's polling thread ("queue-worker-…") is counted apart: its transactions serve every
# task dequeued in a poll, and it polls while idle too.
TRANSACTIONS = {"tasks": 0, "polling": 0}


def _count_transactions(engine) -> None:
    import sqlalchemy as sa

    def count(connection):
        polling = threading.current_thread().name.startswith("queue-worker")
        TRANSACTIONS["polling" if polling else "tasks"] += 1

    sa.event.listen(engine, "commit", count)
    sa.event.listen(engine, "rollback", count)


def write_counters() -> None:
    """Write the transaction counters to FABFLOW_COUNTERS_FILE, when that is set."""
    path = os.environ.get("FABFLOW_COUNTERS_FILE")
    if path:
        import json

        with open(f"{path}.tmp", "w") as file:
            json.dump({**TRANSACTIONS, "at": time.time()}, file)
        os.replace(f"{path}.tmp", path)


def _ensure_postgres_database(url: str) -> None:
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


def configure(*, executor_id: str = "local"):
    """Create the DBOS instance of this process (not launched), with the task workflow."""
    from dbos import DBOS

    url = settings.DBOS_SYSTEM_DATABASE_URL
    _ensure_postgres_database(url)
    dbos = DBOS(
        config={
            "name": APP_NAME,
            "system_database_url": url,
            "system_database_engine": system_database_engine(),
            "application_version": APPLICATION_VERSION,
            "executor_id": executor_id,
            "log_level": os.environ.get("FABFLOW_DBOS_LOG_LEVEL", "WARNING"),
        }
    )
    _register()
    return dbos


_registered = {}


def _register():
    """Register the workflow and the handler step with DBOS (once per process)."""
    if _registered:
        return _registered
    from dbos import DBOS

    from fabflow.flows import engine

    @DBOS.step(name="fabflow.execute")
    def execute_step(task_id: str, attempt: int, try_number: int) -> dict:
        with logs.log_context(task=task_id, workflow=DBOS.workflow_id):
            return _execute(task_id, attempt, try_number)

    @DBOS.workflow(name=WORKFLOW_NAME)
    def task_workflow(task_id: str, attempt: int) -> str:
        # Run the task, then its inline successor (its first automatic `next` task), begun in
        # the transaction that finished it, and so on down the chain: a chain of automatic
        # tasks is one workflow. Replays are safe without checkpointing the transitions: they
        # are idempotent, and a task already finished leads to the same successor.
        outcome = "stale"
        current = (task_id, attempt, None)
        while current is not None:
            outcome, current = _run_task(*current)
        return outcome

    def _run_task(task_id: str, attempt: int, plan: dict | None):
        # A replay must call the same steps in the same order as the first execution: a task
        # this workflow already finished is planned again, and its steps return their records.
        if plan is None:
            plan = _transition(task_id, attempt, "starting the task", engine.begin_task)
            if plan is None:
                plan = _transition(task_id, attempt, "starting the task", engine.replay_plan)
        if plan is FAILED:
            return "failed", None
        if plan is None:
            return "stale", None
        if plan["kind"] == "wait":
            if plan["durationMs"]:
                DBOS.sleep(plan["durationMs"] / 1000)
            outcome = {"result": {"waitedMs": plan["durationMs"]}, "waits": False}
        else:
            failures = 0
            while True:
                outcome = execute_step(task_id, attempt, failures)
                if outcome.get("stale"):
                    return "stale", None
                if outcome["ok"]:
                    break
                failures += 1
                if not outcome["retryable"] or failures > plan["retries"]:
                    _fail(task_id, attempt, outcome["error"])
                    return "failed", None
                DBOS.sleep(backoff_seconds(failures))
        step = _transition(
            task_id,
            attempt,
            "finishing the task and starting what follows",
            engine.finish_and_continue,
            result=outcome["result"],
            waits_for_feedback=outcome["waits"],
            inline=INLINE_SUCCESSORS,
            shown=outcome.get("shown"),
        )
        if step is FAILED:
            return "failed", None
        start_now(step["work"])
        if step["next"] is not None:
            follow = step["next"]
            return "succeeded", (follow["taskId"], follow["attempt"], follow["plan"])
        if not step["applied"] and INLINE_SUCCESSORS:
            return "succeeded", _resume_after(task_id, attempt)
        return "succeeded", None

    def _resume_after(task_id: str, attempt: int):
        """On a replay: continue with the inline successor this workflow began after a task it
        finished (a successor that also got a workflow of its own, from the sweep, is run by
        that one)."""
        follow = _db(engine.resume_after, task_id, attempt)
        if follow is None or _workflow_status(workflow_id(*follow)) is not None:
            return None
        return (*follow, None)

    _registered["workflow"] = task_workflow
    _registered["step"] = execute_step
    # Previews of uploaded files are rendered by the workers too, never in a web request.
    from fabflow.files import thumbnailing

    thumbnailing.register_workflows()
    return _registered


# What `_transition` answers when the transition failed and the task was failed instead.
FAILED = object()


def _transition(task_id: str, attempt: int, doing: str, function, **kwargs):
    """An engine transition of a task attempt, from a workflow. One that fails for any reason
    but the database being away fails the task with the error instead (as a last resort when
    even that transition cannot run, see `engine.fail_task_at_last`), and answers FAILED: no
    task stays running silently."""
    from fabflow.flows import engine

    try:
        return _db(function, task_id, attempt, **kwargs)
    except (InterfaceError, OperationalError):
        raise
    except Exception as error:
        logger.exception("the flow engine failed on task %s while %s", task_id, doing)
        _fail(task_id, attempt, engine.unexpected_error(doing, error))
        return FAILED


def _fail(task_id: str, attempt: int, error: str) -> None:
    from fabflow.flows import engine

    try:
        _db(engine.fail_task, task_id, attempt, error=error)
    except (InterfaceError, OperationalError):
        raise
    except Exception:
        logger.exception("cannot fail task %s as usual; failing it with plain updates", task_id)
        _db(engine.fail_task_at_last, task_id, attempt, error=error)


def _workflow_status(wid: str) -> str | None:
    """A workflow's status read straight from the system database: inside a workflow this is
    no step of it (DBOS.get_workflow_status would be one, and shift a replay's steps)."""
    from dbos._dbos import _get_dbos_instance

    status = _get_dbos_instance()._sys_db.get_workflow_status(wid)
    return status["status"] if status else None


def _db(function, *args, **kwargs):
    """Call an application-database function from a DBOS thread.

    The engine's transitions are idempotent, so one that meets a connection the database has
    dropped (a restart, a fail-over) is simply made again on a new connection: no health check
    (a round trip to the database) before every call."""
    try:
        return function(*args, **kwargs)
    except (InterfaceError, OperationalError):
        connection.close()
        return function(*args, **kwargs)


def _execute(task_id: str, attempt: int, try_number: int) -> dict:
    """Run the task's handler once (for a manual task: render what it shows); never raises,
    so every try is recorded by DBOS."""
    from dbos._error import DBOSBaseException
    from pydantic import ValidationError

    from fabflow.flows import templating
    from fabflow.flows.registry import HandlerFailure, TaskContext, get_handler

    try:
        loaded = _db(_load, task_id, attempt)
    except (InterfaceError, OperationalError) as error:
        return {"ok": False, "error": f"The database is not available: {error}", "retryable": True}
    except Exception as error:  # stored data the engine cannot read: no retry reads it better
        logger.exception("cannot read task %s with its order and flow", task_id)
        message = f"The task's order or flow cannot be read: {type(error).__name__}: {error}"
        return {"ok": False, "error": message, "retryable": False}
    if loaded is None:
        return {"stale": True}
    task, payload_template, variables = loaded
    logs.bind(organization=task.organization_id, order=task.order_id)
    handler = get_handler(task.handler_key)
    try:
        rendered = templating.render_payload(payload_template, variables)
        try:
            payload = handler.payload_model.model_validate(rendered)
        except ValidationError as error:
            raise HandlerFailure(
                f"The rendered payload is not valid: {error.errors()[0]['msg']}", retryable=False
            ) from None
        if handler.kind == "manual":
            # Its title or description had templates: rendered, the task waits for a person.
            shown = {"title": payload.title, "description": payload.description}
            return {"ok": True, "result": {}, "waits": True, "shown": shown}
        context = TaskContext(
            task=task,
            order=task.order,
            payload=payload,
            variables=variables,
            delivery_id=f"{task.pk}-{attempt}",
            attempt=attempt,
        )
        result = handler.execute(context) or {}
    except HandlerFailure as failure:
        return {"ok": False, "error": failure.message, "retryable": failure.retryable}
    except Exception as error:  # a handler's bug is retried like a network error, and logged
        logger.exception("handler %s failed on task %s", task.handler_key, task_id)
        return {"ok": False, "error": f"{type(error).__name__}: {error}", "retryable": True}
    except BaseException as error:
        if isinstance(error, DBOSBaseException):
            raise  # DBOS cancelling the workflow
        # SystemExit, KeyboardInterrupt or the like from a handler: no retry does better.
        logger.exception("handler %s stopped on task %s", task.handler_key, task_id)
        message = f"The handler stopped with {type(error).__name__}: {error}"
        return {"ok": False, "error": message, "retryable": False}
    finally:
        if connection.errors_occurred:  # the handler met a database error: check the connection
            close_old_connections()
    return {"ok": True, "result": result, "waits": context.waits_for_feedback}


def _load(task_id: str, attempt: int):
    """The running task attempt with its run, order and space, its payload as defined and its
    template variables; None when the attempt is no longer the running one. A task this thread
    has just begun is taken as its transition read it (`engine.take_begun`)."""
    from fabflow import records
    from fabflow.accounts.models import ProductSpace
    from fabflow.flows import engine, templating
    from fabflow.flows.models import FlowRun, TaskRun, TaskStatus
    from fabflow.orders.models import Order

    task = engine.take_begun(task_id, attempt)
    if task is None:
        task = records.fetch_one(TaskRun, id=task_id)
        if task is None or task.attempt != attempt or task.status != TaskStatus.RUNNING:
            return None
        task.run = records.fetch_one(FlowRun, id=task.run_id)
        task.order = records.fetch_one(Order, id=task.order_id)
    order = task.order
    # Read each time: the space's signing secret may have been rotated.
    order.space = records.fetch_one(ProductSpace, id=order.space_id)
    variables = templating.task_variables(
        order_doc=templating.order_document(order),
        task=task,
        flow_version=engine.flow_version(task.run.flow_version_id),
    )
    return task, engine.task_definition(task)["payload"], variables


# --- starting and enqueuing ---------------------------------------------------------------

_starter = None
_starter_lock = threading.Lock()


def start_now(work: list) -> None:
    """Start the workflows of [(task id, attempt)] in this worker at once, without the queue.

    They are started from a thread of their own: started from a workflow they would be
    recorded as its children, and a replay, which finds nothing left to start, would then call
    different steps than the first execution. Should this fail, the sweep enqueues them."""
    if not work:
        return
    global _starter
    with _starter_lock:
        if _starter is None:
            from concurrent.futures import ThreadPoolExecutor

            _starter = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fabflow-starter")
    try:
        _starter.submit(_start_workflows, list(work)).result()
    except Exception:
        logger.exception("cannot start flow work now; the worker's sweep will enqueue it")


def _start_workflows(work: list) -> None:
    from dbos import DBOS, SetWorkflowID

    workflow = _registered["workflow"]
    for task_id, attempt in work:
        with SetWorkflowID(workflow_id(task_id, attempt)):
            DBOS.start_workflow(workflow, task_id, attempt)


def enqueue(work: list, *, new_run: bool = False) -> None:
    """Enqueue the workflows of [(task id, attempt)]; enqueuing twice starts a task once."""
    if not work:
        return
    priority = PRIORITY_NEW_RUN if new_run else PRIORITY_FOLLOWING
    try:
        for task_id, attempt in work:
            _enqueue_one(task_id, attempt, priority)
    except Exception:
        # The sweep of a worker enqueues what is still pending a few seconds from now.
        logger.exception("cannot enqueue flow work now; the worker's sweep will retry it")


def _enqueue_one(task_id: str, attempt: int, priority: int = PRIORITY_FOLLOWING) -> None:
    options = {
        "queue_name": QUEUE_NAME,
        "workflow_name": WORKFLOW_NAME,
        "workflow_id": workflow_id(task_id, attempt),
        "app_version": APPLICATION_VERSION,
        "priority": priority,
    }
    if _launched:
        from dbos import DBOS

        DBOS.enqueue_workflow_with_options(options, task_id, attempt)
    else:
        _get_client().enqueue(options, task_id, attempt)


def prepare_client_in_background() -> threading.Thread:
    """Set up this process's DBOS client now, in a thread of its own, instead of on its first
    enqueue: a web process calls this when it starts. Setting it up (the system database's
    engine and migrations) takes about a second, which the first order's first task would
    otherwise wait."""
    thread = threading.Thread(target=_prepare_client, name="fabflow-dbos-client", daemon=True)
    thread.start()
    return thread


def _prepare_client() -> None:
    try:
        _get_client()
    except Exception:  # the first enqueue tries again, and its sweep catches up
        logger.exception("cannot set up the flow engine's client yet")


def _get_client():
    global _client
    with _client_lock:
        if _client is None:
            from dbos import DBOSClient

            _ensure_postgres_database(settings.DBOS_SYSTEM_DATABASE_URL)
            client = DBOSClient(
                system_database_engine=system_database_engine(), application_name=APP_NAME
            )
            # A web process may enqueue before any worker has created DBOS's tables.
            client._sys_db.run_migrations()
            _client = client
        return _client


# --- the worker process -------------------------------------------------------------------


def default_executor_id() -> str:
    return os.environ.get("FABFLOW_WORKER_ID") or "local"


def launch(*, executor_id: str | None = None, concurrency: int | None = None):
    """Launch DBOS in this process and start listening to the task queue."""
    global _launched
    from dbos import DBOS

    configure(executor_id=executor_id or default_executor_id())
    DBOS.launch()
    DBOS.register_queue(
        QUEUE_NAME,
        worker_concurrency=concurrency or settings.FABFLOW_WORKER_CONCURRENCY,
        polling_interval_sec=settings.FABFLOW_QUEUE_POLL_SECONDS,
        on_conflict="always_update",
    )
    _launched = True


def shutdown() -> None:
    global _launched
    from dbos import DBOS

    _launched = False
    DBOS.destroy(workflow_completion_timeout_sec=0)


class Sweeper:
    """The periodic duties of a worker: timeouts, lost enqueues, heartbeats and take-over."""

    def __init__(self, executor_id: str):
        self.executor_id = executor_id
        self.stop_event = threading.Event()
        self.last_lost_check = 0.0
        self.last_heartbeat = 0.0

    def run(self) -> None:
        while not self.stop_event.is_set():
            try:
                self.tick()
            except Exception:
                logger.exception("the flow sweep failed; trying again")
            finally:
                close_old_connections()
            self.stop_event.wait(SWEEP_INTERVAL_SECONDS)

    def tick(self) -> None:
        from fabflow.flows import engine

        engine.mark_overdue_tasks()
        write_counters()
        now = time.monotonic()
        if now - self.last_heartbeat >= HEARTBEAT_INTERVAL_SECONDS:
            self.last_heartbeat = now
            self.heartbeat()
            self.take_over_dead_workers()
        if now - self.last_lost_check >= LOST_ENQUEUE_AFTER_SECONDS:
            self.last_lost_check = now
            self.enqueue_lost_work()
            self.enqueue_lost_thumbnails()

    def heartbeat(self) -> None:
        from fabflow.flows.models import WorkerHeartbeat

        now = timezone.now()
        with transaction.atomic():
            updated = WorkerHeartbeat.objects.filter(executor_id=self.executor_id).update(
                seen_at=now, taken_over_at=None, pid=os.getpid()
            )
            if not updated:
                WorkerHeartbeat.objects.create(
                    executor_id=self.executor_id,
                    hostname=socket.gethostname()[:200],
                    pid=os.getpid(),
                    started_at=now,
                    seen_at=now,
                )

    def take_over_dead_workers(self) -> list[str]:
        """Re-enqueue the unfinished workflows of workers silent for DEAD_AFTER_SECONDS."""
        from dbos import DBOS

        from fabflow.flows.models import WorkerHeartbeat

        cutoff = timezone.now() - timedelta(seconds=DEAD_AFTER_SECONDS)
        dead = list(
            WorkerHeartbeat.objects.filter(seen_at__lt=cutoff, taken_over_at__isnull=True)
            .exclude(executor_id=self.executor_id)
            .values_list("executor_id", flat=True)
        )
        taken = []
        for executor_id in dead:
            # Claim the dead worker first, so two live workers do not both recover it.
            claimed = WorkerHeartbeat.objects.filter(
                executor_id=executor_id, seen_at__lt=cutoff, taken_over_at__isnull=True
            ).update(taken_over_at=timezone.now())
            if not claimed:
                continue
            handles = DBOS._recover_pending_workflows([executor_id])
            logger.warning(
                "worker %s stopped heart-beating; %s took over its %d unfinished tasks",
                executor_id,
                self.executor_id,
                len(handles),
            )
            taken.append(executor_id)
        return taken

    def enqueue_lost_work(self) -> int:
        """Enqueue pending tasks that have no workflow (their enqueue was lost)."""
        from dbos import DBOS

        from fabflow.flows import engine

        work = engine.pending_work(LOST_ENQUEUE_AFTER_SECONDS)
        if not work:
            return 0
        ids = {workflow_id(task_id, attempt): (task_id, attempt) for task_id, attempt in work}
        known = {
            status.workflow_id
            for status in DBOS.list_workflows(
                workflow_ids=list(ids), load_input=False, load_output=False
            )
        }
        lost = [ids[wid] for wid in ids if wid not in known]
        if lost:
            logger.warning("enqueuing %d flow tasks whose enqueue was lost", len(lost))
            enqueue(lost)
        return len(lost)

    def enqueue_lost_thumbnails(self) -> int:
        """Enqueue preview jobs still pending a while after their upload (enqueue was lost).

        A workflow id is the job's own, so enqueuing one that is already queued changes nothing.
        """
        from fabflow.files import thumbnailing

        job_ids = thumbnailing.pending_jobs(LOST_ENQUEUE_AFTER_SECONDS)
        if job_ids:
            thumbnailing.enqueue(job_ids)
        return len(job_ids)


def run_worker(*, executor_id: str | None = None, concurrency: int | None = None):
    """Run the engine until SIGTERM/SIGINT: DBOS's queue workers plus the sweep; then exit."""
    import signal

    executor_id = executor_id or default_executor_id()
    launch(executor_id=executor_id, concurrency=concurrency)
    sweeper = Sweeper(executor_id)
    sweeper.heartbeat()

    def stop(signum, frame):
        sweeper.stop_event.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"Fabflow worker {executor_id} is running", flush=True)
    sweeper.run()
    shutdown()
    _exit_without_waiting_for_workflows()


def _exit_without_waiting_for_workflows():
    """End the process now, not when its workflow threads end.

    A `wait` task asleep in DBOS.sleep would keep the process alive until it woke, and then
    fail to record its outcome in the destroyed DBOS. Its sleep is durable: the workflow is
    recovered when a worker with this id starts, and sleeps only the time left. A step cut
    short is run again on recovery, as after a kill.
    """
    import sys

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
