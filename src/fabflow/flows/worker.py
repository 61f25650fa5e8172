"""The flow worker: DBOS runs the automatic tasks of a flow run durably.

Shape (kept after measuring it against a workflow per task with bench/flows.py; see the "Design"
section of docs/flows.md and bench/NOTES.md): the first automatic tasks of a run, and tasks an
operator's action sets going, are enqueued as the workflow `task-<task id>-<attempt>` on the
queue `fabflow-tasks`. The workflow marks the task running, runs the handler as a checkpointed
step (retries with exponential backoff, each failed try recorded, a durable sleep between them),
then finishes the task, creates the following ones and begins its *inline successor* (the first
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

from fabflow import durable, logs, records
from fabflow.accounts.models import ProductSpace
from fabflow.flows import engine, templating
from fabflow.flows.models import FlowRun, TaskRun, TaskStatus, WorkerHeartbeat
from fabflow.flows.registry import HandlerFailure, TaskContext, get_handler
from fabflow.orders.models import Order
from fabflow.webhooks.delivery import Deliverer

logger = logging.getLogger(__name__)

WORKFLOW_NAME = "fabflow.task"
# Priorities on the queue (lower runs first): work of runs already going (tasks that follow a
# finished one, retries) passes the first tasks of new runs, so a burst of new orders does not
# hold up the orders in progress.
PRIORITY_FOLLOWING = 1
PRIORITY_NEW_RUN = 10
SWEEP_INTERVAL_SECONDS = 0.25
LOST_ENQUEUE_AFTER_SECONDS = 5.0
HEARTBEAT_INTERVAL_SECONDS = 2.0
DEAD_AFTER_SECONDS = 15.0
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_MAX_SECONDS = 300.0


def workflow_id(task_id: str, attempt: int) -> str:
    return f"task-{task_id}-{attempt}"


def backoff_seconds(failures: int) -> float:
    """The pause after the `failures`-th failed try: 0.5 s, 1 s, 2 s, … up to 5 minutes."""
    return min(BACKOFF_BASE_SECONDS * (2 ** (failures - 1)), BACKOFF_MAX_SECONDS)


def configure(*, executor_id: str = "local") -> None:
    """Create the DBOS instance of this process (not launched), with the task workflow."""
    durable.configure(
        durable.APPLICATION, executor_id=executor_id, log_level=settings.FABFLOW_DBOS_LOG_LEVEL
    )
    _register()


_registered = {}


def _register():
    """Register the workflow and the handler step with DBOS (once per process)."""
    if _registered:
        return _registered

    @durable.step(name="fabflow.execute")
    def execute_step(task_id: str, attempt: int, try_number: int) -> dict:
        with logs.log_context(task=task_id, workflow=durable.current_workflow_id()):
            return _execute(task_id, attempt, try_number)

    @durable.workflow(name=WORKFLOW_NAME)
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

    def _run_task(task_id: str, attempt: int, plan: engine.TaskPlan | None):
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
        if plan.kind == "wait":
            if plan.duration_ms:
                durable.sleep(plan.duration_ms / 1000)
            outcome = {"result": {"waitedMs": plan.duration_ms}, "waits": False}
        else:
            failures = 0
            while True:
                outcome = execute_step(task_id, attempt, failures)
                if outcome.get("stale"):
                    return "stale", None
                if outcome["ok"]:
                    break
                failures += 1
                if not outcome["retryable"] or failures > plan.retries:
                    _fail(task_id, attempt, outcome["error"])
                    return "failed", None
                durable.sleep(backoff_seconds(failures))
        step = _transition(
            task_id,
            attempt,
            "finishing the task and starting what follows",
            engine.finish_and_continue,
            result=outcome["result"],
            waits_for_feedback=outcome["waits"],
            shown=outcome.get("shown"),
        )
        if step is FAILED:
            return "failed", None
        start_now(step.work)
        if step.next is not None:
            return "succeeded", (step.next.task_id, step.next.attempt, step.next.plan)
        if not step.applied:
            return "succeeded", _resume_after(task_id, attempt)
        return "succeeded", None

    def _resume_after(task_id: str, attempt: int):
        """On a replay: continue with the inline successor this workflow began after a task it
        finished (a successor that also got a workflow of its own, from the sweep, is run by
        that one)."""
        follow = _db(engine.resume_after, task_id, attempt)
        if follow is None or durable.workflow_status(workflow_id(*follow)) is not None:
            return None
        return (*follow, None)

    _registered["workflow"] = task_workflow
    _registered["step"] = execute_step
    # The apps' other durable work (previews, bulk jobs) runs in the workers too.
    for work in durable.hosted_work():
        work.register_workflows()
    return _registered


# What `_transition` answers when the transition failed and the task was failed instead.
FAILED = object()


def _transition(task_id: str, attempt: int, doing: str, function, **kwargs):
    """An engine transition of a task attempt, from a workflow. One that fails for any reason
    but the database being away fails the task with the error instead (as a last resort when
    even that transition cannot run, see `engine.fail_task_at_last`), and answers FAILED: no
    task stays running silently."""
    try:
        return _db(function, task_id, attempt, **kwargs)
    except (InterfaceError, OperationalError):
        raise
    except Exception as error:
        logger.exception("the flow engine failed on task %s while %s", task_id, doing)
        _fail(task_id, attempt, engine.unexpected_error(doing, error))
        return FAILED


def _fail(task_id: str, attempt: int, error: str) -> None:
    try:
        _db(engine.fail_task, task_id, attempt, error=error)
    except (InterfaceError, OperationalError):
        raise
    except Exception:
        logger.exception("cannot fail task %s as usual; failing it with plain updates", task_id)
        _db(engine.fail_task_at_last, task_id, attempt, error=error)


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
    from pydantic import ValidationError

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
        if durable.is_cancellation(error):
            raise
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
    workflow = _registered["workflow"]
    for task_id, attempt in work:
        durable.start_workflow(workflow, workflow_id(task_id, attempt), task_id, attempt)


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
    durable.enqueue_workflow(
        WORKFLOW_NAME, workflow_id(task_id, attempt), task_id, attempt, priority=priority
    )


def is_launched() -> bool:
    """Whether this process is a worker (DBOS launched here), not only a client of one."""
    return durable.is_launched()


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
        durable.client(durable.APPLICATION)
    except Exception:  # the first enqueue tries again, and its sweep catches up
        logger.exception("cannot set up the flow engine's client yet")


# --- the worker process -------------------------------------------------------------------


def default_executor_id() -> str:
    """This worker's executor id when none is given: FABFLOW_WORKER_ID."""
    return settings.FABFLOW_WORKER_ID


def launch(*, executor_id: str | None = None, concurrency: int | None = None):
    """Launch DBOS in this process and start listening to the task queue."""
    configure(executor_id=executor_id or default_executor_id())
    durable.launch(
        queue_name=durable.QUEUE_NAME,
        concurrency=concurrency or settings.FABFLOW_WORKER_CONCURRENCY,
        polling_seconds=settings.FABFLOW_QUEUE_POLL_SECONDS,
    )
    for work in durable.hosted_work():
        work.register_queues()


def shutdown() -> None:
    """Stop this process's DBOS at once (a workflow cut short is recovered on restart)."""
    durable.destroy()


class Sweeper:
    """The periodic duties of a worker: timeouts, lost enqueues, heartbeats and take-over."""

    def __init__(self, executor_id: str):
        self.executor_id = executor_id
        self.stop_event = threading.Event()
        self.last_lost_check = 0.0
        # Pending tasks without a workflow at the last check (see enqueue_lost_work).
        self.lost_suspects: set[tuple[str, int]] = set()
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
        engine.mark_overdue_tasks()
        now = time.monotonic()
        if now - self.last_heartbeat >= HEARTBEAT_INTERVAL_SECONDS:
            self.last_heartbeat = now
            self.heartbeat()
            self.take_over_dead_workers()
        if now - self.last_lost_check >= LOST_ENQUEUE_AFTER_SECONDS:
            self.last_lost_check = now
            self.enqueue_lost_work()
            self.enqueue_lost_hosted_work()

    def heartbeat(self) -> None:
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
            recovered = durable.recover_workflows_of(executor_id)
            logger.warning(
                "worker %s stopped heart-beating; %s took over its %d unfinished tasks",
                executor_id,
                self.executor_id,
                recovered,
            )
            taken.append(executor_id)
        return taken

    def enqueue_lost_work(self) -> int:
        """Enqueue pending tasks that have no workflow (their enqueue was lost).

        A task is lost when two checks in a row find it pending without a workflow: one check
        alone may fall between the commit that made an old task pending again (a retry) and
        that commit's own enqueue."""
        work = engine.pending_work(LOST_ENQUEUE_AFTER_SECONDS)
        ids = {workflow_id(task_id, attempt): (task_id, attempt) for task_id, attempt in work}
        known = durable.known_workflow_ids(list(ids)) if ids else set()
        missing = {ids[wid] for wid in ids if wid not in known}
        lost = sorted(missing & self.lost_suspects)
        self.lost_suspects = missing - set(lost)
        if lost:
            logger.warning("enqueuing %d flow tasks whose enqueue was lost", len(lost))
            enqueue(lost)
        return len(lost)

    def enqueue_lost_hosted_work(self) -> int:
        """Enqueue the previews, bulk jobs and other hosted work whose enqueue was lost."""
        return sum(work.enqueue_lost(LOST_ENQUEUE_AFTER_SECONDS) for work in durable.hosted_work())


def run_worker(*, executor_id: str | None = None, concurrency: int | None = None):
    """Run the engine until SIGTERM/SIGINT: DBOS's queue workers plus the sweep; then exit."""
    import signal

    executor_id = executor_id or default_executor_id()
    launch(executor_id=executor_id, concurrency=concurrency)
    sweeper = Sweeper(executor_id)
    sweeper.heartbeat()
    deliverer = Deliverer(executor_id)  # webhook deliveries, on threads of their own
    deliverer.start()

    def stop(signum, frame):
        sweeper.stop_event.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"Fabflow worker {executor_id} is running", flush=True)
    sweeper.run()
    deliverer.stop()
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
