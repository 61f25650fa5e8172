"""The writers of one SQLite database take turns on a file lock, across threads and processes.

SQLite lets one transaction write at a time. A writer that finds the database locked sleeps
and tries again, 1, 2, 5, 10, … up to 100 ms at a time, so under load the database sits idle
while the writers that wait for it sleep, and the more of them wait the longer they sleep.
Writers that queue on a lock file beside the database instead start the moment the one before
them ends: the kernel wakes them. Each connection opens the file itself, so its lock excludes
every other connection, of this process or another; the threads of one process first queue on a
lock of their own, so the kernel wakes one waiter per process instead of every waiting thread.

Two kinds of connection queue here, both `QueuedConnection`s, which hand the turn on when their
transaction ends: Django's (`fabflow.sqlite.base`, at `BEGIN IMMEDIATE`) and DBOS's system
database (`engine_connect_args`, before the first write of a transaction, where Python's sqlite3
begins one). A database in memory has one process and needs no queue.
"""

import fcntl
import os
import re
import sqlite3
import threading


class WriterQueue:
    """One connection's place in the queue of its database's writers."""

    def __init__(self, database: str):
        self.path = f"{database}-writers"
        self.file = None
        self.holding = False

    def enter(self) -> None:
        """Wait for this connection's turn to write (at once when it holds the turn already)."""
        if self.holding:
            return
        if self.file is None:
            self.file = open(self.path, "a+b")  # noqa: SIM115 (kept open with the connection)
        threads = _threads_lock(self.path)
        threads.acquire()
        try:
            fcntl.flock(self.file, fcntl.LOCK_EX)
        except BaseException:
            threads.release()
            raise
        self.holding = True

    def leave(self) -> None:
        """Hand the turn on to the next writer."""
        if self.holding:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.holding = False
            _threads_lock(self.path).release()

    def close(self) -> None:
        self.leave()
        if self.file is not None:
            self.file.close()
            self.file = None


_threads_locks: dict[tuple[int, str], threading.Lock] = {}
_threads_locks_guard = threading.Lock()


def _threads_lock(path: str) -> threading.Lock:
    """The lock the threads of this process queue on for `path` (a forked child gets its own)."""
    key = (os.getpid(), path)
    lock = _threads_locks.get(key)
    if lock is None:
        with _threads_locks_guard:
            lock = _threads_locks.setdefault(key, threading.Lock())
    return lock


def queue_for(database: str) -> WriterQueue | None:
    """The writer queue of a database file; None for a database in memory."""
    if not database or database == ":memory:" or "mode=memory" in database:
        return None
    return WriterQueue(database.removeprefix("file:").split("?", 1)[0])


# The statements before which Python's sqlite3 opens a transaction (its legacy mode, which
# SQLAlchemy's pysqlite dialect uses).
_BEGINS_TRANSACTION = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class QueuedConnection(sqlite3.Connection):
    """A sqlite3 connection that leaves the writer queue when its transaction ends."""

    writer_queue: WriterQueue | None = None

    def commit(self):
        try:
            return super().commit()
        finally:
            self._leave_after_transaction()

    def rollback(self):
        try:
            return super().rollback()
        finally:
            self._leave_after_transaction()

    def close(self):
        try:
            return super().close()
        finally:
            if self.writer_queue is not None:
                self.writer_queue.close()

    def _leave_after_transaction(self):
        if self.writer_queue is not None and not self.in_transaction:
            self.writer_queue.leave()


def engine_connect_args() -> dict:
    """`connect_args` for a SQLAlchemy engine on SQLite whose connections queue as writers."""
    return {"factory": QueuedConnection}


def queue_engine_writers(engine, database: str) -> None:
    """Make the writers of a SQLAlchemy engine (created with `engine_connect_args`) queue."""
    from sqlalchemy import event

    @event.listens_for(engine, "connect")
    def _attach(dbapi_connection, record):
        dbapi_connection.writer_queue = queue_for(database)

    @event.listens_for(engine, "before_cursor_execute")
    def _enter(connection, cursor, statement, parameters, context, executemany):
        dbapi_connection = connection.connection.dbapi_connection
        queue = getattr(dbapi_connection, "writer_queue", None)
        if (
            queue is not None
            and not dbapi_connection.in_transaction
            and _BEGINS_TRANSACTION.match(statement)
        ):
            queue.enter()
