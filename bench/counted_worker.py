"""`fabflow worker` that counts the transactions on DBOS's system database, for bench/flows.py.

    python bench/counted_worker.py <counters file> [fabflow worker arguments]

The counting lives here, not in the product: a listener on every SQLAlchemy engine of the
process (DBOS's system database is the only one; Django's connections are not SQLAlchemy's)
counts each commit and rollback, and a thread writes the counts to the counters file four times
a second once DBOS has launched, so the file's appearance also tells the benchmark the worker is
up. The queue's polling thread ("queue-worker-…") is counted apart: its transactions serve every
task dequeued in a poll, and it polls while idle too.
"""

import json
import os
import sys
import threading
import time

WRITE_INTERVAL_SECONDS = 0.25

TRANSACTIONS = {"tasks": 0, "polling": 0}


def count(connection) -> None:
    """Count one transaction of the system database, by the thread that made it."""
    polling = threading.current_thread().name.startswith("queue-worker")
    TRANSACTIONS["polling" if polling else "tasks"] += 1


def write_counters(path: str) -> None:
    """Write the counts to `path` (atomically: the benchmark may read it at any time)."""
    with open(f"{path}.tmp", "w") as file:
        json.dump({**TRANSACTIONS, "at": time.time()}, file)
    os.replace(f"{path}.tmp", path)


def keep_writing(path: str) -> None:
    """Once DBOS has launched in this process, write the counts to `path` for ever."""
    # The worker imports fabflow.durable as it starts; this thread only looks at it.
    while not ((adapter := sys.modules.get("fabflow.durable")) and adapter.is_launched()):
        time.sleep(0.05)
    while True:
        write_counters(path)
        time.sleep(WRITE_INTERVAL_SECONDS)


def main() -> int:
    """Listen to every SQLAlchemy engine's transactions, then run `fabflow worker`."""
    import sqlalchemy as sa

    path, *worker_argv = sys.argv[1:]
    sa.event.listen(sa.engine.Engine, "commit", count)
    sa.event.listen(sa.engine.Engine, "rollback", count)
    threading.Thread(target=keep_writing, args=(path,), daemon=True).start()
    from fabflow import cli

    return cli.main(["worker", *worker_argv])


if __name__ == "__main__":
    sys.exit(main())
