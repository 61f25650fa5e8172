"""`fabflow serve`'s supervisor: keeps the web server and the worker running.

Each child runs in a process group of its own. When a child exits, for whatever reason, what is
left of its group is killed (gunicorn's worker processes would otherwise keep the port open
after their master died) and the child is started again after a delay: 1 s, doubled after each
exit up to 30 s, and back to 1 s for a child that had run for a minute. SIGTERM or SIGINT stops
every child (SIGTERM, then SIGKILL for what still runs after 15 s) and ends the supervisor. On
Linux a supervisor that dies without stopping them (SIGKILL) takes its children with it.
"""

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

logger = logging.getLogger("fabflow.serve")

FIRST_RESTART_DELAY_SECONDS = 1.0
MAX_RESTART_DELAY_SECONDS = 30.0
# A child that ran this long before it exited was not crash-looping: its next delay is the first.
STABLE_AFTER_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 15.0
POLL_SECONDS = 0.2


@dataclass
class Child:
    """One supervised process: its name, its command line, and when it is started again."""

    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    restart_delay: float = FIRST_RESTART_DELAY_SECONDS
    restart_at: float = 0.0

    def start(self) -> None:
        # A group of its own: a terminal's Ctrl-C reaches the supervisor only, which stops the
        # children in order, and a dead child's leftovers can be killed as one group.
        self.process = subprocess.Popen(
            self.argv, start_new_session=True, preexec_fn=_die_with_this_process()
        )
        self.started_at = time.monotonic()
        logger.info("fabflow serve: %s started (pid %d)", self.name, self.process.pid)

    def reap(self, now: float) -> None:
        """If the process has exited: kill what is left of its group, schedule the restart."""
        code = self.process.poll()
        if code is None:
            return
        _signal_group(self.process.pid, signal.SIGKILL)
        if now - self.started_at >= STABLE_AFTER_SECONDS:
            self.restart_delay = FIRST_RESTART_DELAY_SECONDS
        logger.warning(
            "fabflow serve: %s (pid %d) exited with %s; starting it again in %g s",
            self.name,
            self.process.pid,
            _describe_exit(code),
            self.restart_delay,
        )
        self.process = None
        self.restart_at = now + self.restart_delay
        self.restart_delay = min(self.restart_delay * 2, MAX_RESTART_DELAY_SECONDS)


class Supervisor:
    """Runs `children` until SIGTERM or SIGINT, starting again each one that exits."""

    def __init__(self, children: dict[str, list[str]]):
        self.children = [Child(name=name, argv=argv) for name, argv in children.items()]
        self.is_stopping = False

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._stop)
        for child in self.children:
            child.start()
        while not self.is_stopping:
            now = time.monotonic()
            for child in self.children:
                if child.process is not None:
                    child.reap(now)
                elif now >= child.restart_at:
                    child.start()
            time.sleep(POLL_SECONDS)
        self._stop_children()
        return 0

    def _stop(self, signum, frame) -> None:
        self.is_stopping = True

    def _stop_children(self) -> None:
        running = [child.process for child in self.children if child.process is not None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("fabflow serve: pid %d did not stop; killing it", process.pid)
            _signal_group(process.pid, signal.SIGKILL)
            process.wait()
        logger.info("fabflow serve: stopped")


# prctl's option that has the kernel signal a process when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


def _die_with_this_process():
    """What a child runs before exec so that it gets SIGTERM when the supervisor dies, even by
    SIGKILL (which no handler sees); None off Linux.

    SIGTERM rather than SIGKILL: gunicorn then stops its own worker processes, which the kernel
    would not signal, and the flow worker records what it can before it exits.
    """
    if not sys.platform.startswith("linux"):
        return None
    # Loaded before the fork: the child between fork and exec may only make plain calls.
    libc = ctypes.CDLL(None, use_errno=True)
    supervisor_pid = os.getpid()

    def ask_for_sigterm_on_parent_death():
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != supervisor_pid:  # the supervisor died before prctl took effect
            os._exit(1)

    return ask_for_sigterm_on_parent_death


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group has no process left
        os.killpg(group, signum)


def _describe_exit(code: int) -> str:
    if code >= 0:
        return f"code {code}"
    try:
        return f"signal {signal.Signals(-code).name}"
    except ValueError:
        return f"signal {-code}"
