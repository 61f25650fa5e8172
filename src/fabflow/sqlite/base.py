"""Django's SQLite backend, whose transactions queue as writers (`fabflow.sqlite.writers`).

Fabflow's transactions on SQLite begin IMMEDIATE, taking the write lock at once; here each
first waits its turn in the writer queue. Its connection hands the turn on when the
transaction commits or rolls back.
"""

from django.db.backends.sqlite3 import base

from fabflow.sqlite.writers import QueuedConnection, queue_for


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection({**conn_params, "factory": QueuedConnection})
        # The name is read here, not at creation: the test runner renames the database.
        connection.writer_queue = queue_for(str(self.settings_dict["NAME"]))
        return connection

    def _start_transaction_under_autocommit(self):
        queue = self.connection.writer_queue
        if queue is not None:
            queue.enter()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            if queue is not None and not self.connection.in_transaction:
                queue.leave()
            raise
