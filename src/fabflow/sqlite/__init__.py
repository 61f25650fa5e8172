"""SQLite as Fabflow uses it: Django's backend and DBOS's engine with writers queued in turn."""
