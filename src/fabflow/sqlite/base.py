"""Django's SQLite backend, whose transactions queue as writers (`fabflow.sqlite.writers`).

Fabflow's transactions on SQLite begin IMMEDIATE, taking the write lock at once; here each
first waits its turn in the writer queue. Its connection hands the turn on when the
transaction commits or rolls back.

Its converters read any stored time or amount: one that Django's would fail on (text that is
no time, an amount beyond its column's precision) becomes an `InvalidValue` (fabflow.fields).
"""

from django.db.backends.sqlite3 import base, operations

from fabflow.fields import InvalidValue
from fabflow.sqlite.writers import QueuedConnection, queue_for


class DatabaseOperations(operations.DatabaseOperations):
    def convert_datetimefield_value(self, value, expression, connection):
        try:
            return super().convert_datetimefield_value(value, expression, connection)
        except (ValueError, TypeError, AttributeError, OverflowError):
            # parse_datetime answers None for text that is no time: is_aware(None) then fails.
            return InvalidValue(value)

    def get_decimalfield_converter(self, expression):
        convert = super().get_decimalfield_converter(expression)

        def converter(value, expression, connection):
            try:
                return convert(value, expression, connection)
            except (ArithmeticError, TypeError, ValueError):
                return InvalidValue(value)

        return converter


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self):
        params = super().get_connection_params()
        # Django has the driver parse columns declared `datetime` itself, where a stored text
        # that is no time reads as NULL and year 0 fails the whole query: its converters above
        # parse them instead (and a bool or a date as well).
        params["detect_types"] = 0
        return params

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
