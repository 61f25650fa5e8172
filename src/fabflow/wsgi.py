"""WSGI entry point: gunicorn serves Fabflow through `fabflow.wsgi:application`.

Each web process also sets up its client of the flow engine as it starts (in the background),
so that the first order it creates does not wait for that.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
application = get_wsgi_application()

from fabflow.flows import worker  # noqa: E402  (Django must be set up first)

worker.prepare_client_in_background()
