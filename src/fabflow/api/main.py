"""The NinjaAPI object of REST API v1; fabflow/urls.py adds the apps' routers and mounts it."""

from ninja import NinjaAPI
from ninja.openapi.docs import Swagger

from fabflow.api import errors
from fabflow.api.auth import secret_key_auth, session_auth
from fabflow.api.parser import StrictParser

DESCRIPTION = """Orders, products, parts, files and order flows of Fabflow.

Authenticate with a secret key (`Authorization: Bearer ffk_…`); a key acts inside its product space.
Signed-in users may call the API with their session (with the CSRF token on unsafe methods).
Refusals answer `{"detail": [{"loc": [...], "msg": "...", "type": "..."}]}`.
"""

api = NinjaAPI(
    title="Fabflow API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=[secret_key_auth, session_auth],
    parser=StrictParser(),
    docs=Swagger(),
    docs_url="/docs",
)
errors.install(api)
