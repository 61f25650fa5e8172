"""`/healthz` (the process answers) and `/readyz` (what it depends on answers).

Both are for load balancers and orchestrators: no session, no CSRF, no sign-in redirect, and
no tenant data. `/readyz` names each part and its state; the reasons of a failure go to the
log, not to an anonymous caller.
"""

import logging

from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from fabflow.operations import probes

logger = logging.getLogger(__name__)


def probe_view(view):
    """A probe endpoint: GET only, never cached, exempt from CSRF."""
    return csrf_exempt(never_cache(require_GET(view)))


@probe_view
def healthz(request):
    """200 while the process serves requests; touches no database."""
    return JsonResponse({"status": "ok"})


@probe_view
def readyz(request):
    """200 when the database, DBOS's system database, storage and a worker all answer;
    503 naming the parts that do not."""
    results, _seconds = probes.run(probes.READINESS)
    failing = [result.name for result in results if not result.ok]
    for result in results:
        if not result.ok:
            logger.warning("readiness: %s fails: %s", result.name, result.detail)
    body = {
        "status": "unready" if failing else "ready",
        "checks": {result.name: "ok" if result.ok else "failing" for result in results},
        "failing": failing,
    }
    return JsonResponse(body, status=503 if failing else 200)
