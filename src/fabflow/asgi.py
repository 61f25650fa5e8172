"""ASGI entry point, for deployments that insist on it; WSGI under gunicorn is faster here."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabflow.settings")
application = get_asgi_application()
