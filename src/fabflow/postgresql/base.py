"""Django's PostgreSQL backend, reading any stored time.

psycopg refuses a `timestamptz` Python cannot hold (`infinity`, a year before 1 or after 9999)
before any converter of Django's runs: here such a time reads as an `InvalidValue`
(fabflow.fields) holding PostgreSQL's text of it.
"""

from functools import cache

from django.db.backends.postgresql import base
from psycopg import DataError, adapt
from psycopg.pq import Format

from fabflow.fields import InvalidValue


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["context"] = _adapters(params["context"])
        return params


@cache
def _adapters(django_adapters: adapt.AdaptersMap) -> adapt.AdaptersMap:
    """Django's adapters (one map per time zone), with the time loader that never fails."""
    adapters = adapt.AdaptersMap(django_adapters)
    django_loader = adapters.get_loader(base.TIMESTAMPTZ_OID, Format.TEXT)

    class ReadingLoader(django_loader):
        def load(self, data):
            try:
                return super().load(data)
            except DataError:
                return InvalidValue(bytes(data).decode("utf-8", "replace"))

    adapters.register_loader("timestamptz", ReadingLoader)
    return adapters
