"""SQLite writers take turns on the writer queue: Django's transactions and DBOS's engine."""

import fcntl
import threading

import pytest
import sqlalchemy as sa
from django.db.utils import ConnectionHandler

from fabflow import config
from fabflow.sqlite import writers
from fabflow.sqlite.writers import WriterQueue, queue_for


def turn_is_free(database_path: str) -> bool:
    """Whether no connection holds the writer queue's lock (tried without waiting)."""
    with open(f"{database_path}-writers", "a+b") as probe:
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(probe, fcntl.LOCK_UN)
        return True


def run_in_thread(function) -> threading.Thread:
    thread = threading.Thread(target=function, daemon=True)
    thread.start()
    return thread


def test_a_second_writer_waits_until_the_first_leaves(tmp_path):
    first, second = WriterQueue(str(tmp_path / "db")), WriterQueue(str(tmp_path / "db"))
    entered = threading.Event()
    first.enter()

    waiting = run_in_thread(lambda: (second.enter(), entered.set()))

    assert not entered.wait(0.3)
    first.leave()
    assert entered.wait(10)
    waiting.join(10)
    assert (first.holding, second.holding) == (False, True)
    assert (tmp_path / "db-writers").exists()
    second.close()
    first.close()


def test_entering_twice_holds_one_turn_and_closing_hands_it_on(tmp_path):
    first, second = WriterQueue(str(tmp_path / "db")), WriterQueue(str(tmp_path / "db"))
    first.enter()
    first.enter()  # a connection that holds its turn keeps it, without waiting on itself

    first.close()
    second.enter()

    assert second.holding
    second.close()


def test_a_database_in_memory_has_no_queue(tmp_path):
    assert queue_for(":memory:") is None
    assert queue_for("file:memorydb_default?mode=memory&cache=shared") is None
    assert queue_for(str(tmp_path / "fabflow.sqlite3")).path == str(
        tmp_path / "fabflow.sqlite3-writers"
    )


@pytest.fixture
def database(tmp_path, django_db_blocker):
    """A SQLite file database through Fabflow's backend, one connection per thread."""
    handler = ConnectionHandler({"default": config.database(f"sqlite:///{tmp_path / 'w.sqlite3'}")})
    with django_db_blocker.unblock():
        setup = handler["default"]
        with setup.cursor() as cursor:
            cursor.execute("CREATE TABLE item (name TEXT)")
        yield handler
        handler.close_all()


def begin(connection) -> None:
    """What `transaction.atomic()` does on entering its outermost block."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def end(connection, *, commit: bool) -> None:
    connection.commit() if commit else connection.rollback()
    connection.set_autocommit(True)


def test_a_django_transaction_holds_its_turn_from_begin_to_commit(database):
    connection = database["default"]
    assert connection.settings_dict["ENGINE"] == config.SQLITE_ENGINE

    path = connection.settings_dict["NAME"]

    begin(connection)
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO item VALUES ('a')")
    assert connection.connection.writer_queue.holding
    assert not turn_is_free(path)
    end(connection, commit=True)

    assert not connection.connection.writer_queue.holding
    assert turn_is_free(path)
    begin(connection)
    assert connection.connection.writer_queue.holding
    end(connection, commit=False)
    assert not connection.connection.writer_queue.holding


def test_a_django_transaction_of_another_thread_starts_when_the_first_commits(database):
    first = database["default"]
    begin(first)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO item VALUES ('first')")
    seen = []
    started = threading.Event()

    def second_writer():
        second = database["default"]  # this thread's own connection
        begin(second)
        started.set()
        with second.cursor() as cursor:
            cursor.execute("SELECT name FROM item")
            seen.extend(row[0] for row in cursor.fetchall())
            cursor.execute("INSERT INTO item VALUES ('second')")
        end(second, commit=True)
        second.close()

    thread = run_in_thread(second_writer)
    assert not started.wait(0.3)  # queued, not sleeping on SQLite's busy handler
    end(first, commit=True)
    thread.join(10)

    assert started.is_set()
    assert seen == ["first"]
    with first.cursor() as cursor:
        cursor.execute("SELECT name FROM item ORDER BY rowid")
        assert [row[0] for row in cursor.fetchall()] == ["first", "second"]


def test_the_system_database_queues_a_transaction_at_its_first_write(tmp_path):
    path = str(tmp_path / "dbos.sqlite3")
    engine = sa.create_engine(f"sqlite:///{path}", connect_args=writers.engine_connect_args())
    writers.queue_engine_writers(engine, path)

    @sa.event.listens_for(engine, "connect")
    def _legacy_transactions(dbapi_connection, record):
        dbapi_connection.isolation_level = "IMMEDIATE"  # as the worker's engine sets it

    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE step (n INTEGER)")
    holding = []
    with engine.begin() as connection:
        dbapi = connection.connection.dbapi_connection
        connection.exec_driver_sql("SELECT count(*) FROM step")
        holding.append(dbapi.writer_queue.holding)
        connection.exec_driver_sql("INSERT INTO step VALUES (1)")
        holding.append(dbapi.writer_queue.holding)
    holding.append(dbapi.writer_queue.holding)

    assert holding == [False, True, False]
    other = WriterQueue(path)
    other.enter()  # the engine's connection handed its turn on
    other.close()
    engine.dispose()
