import sys
from datetime import timedelta

from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseServerError, JsonResponse
from django.template import loader
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache

from config.sessions import SessionNotSaved

_migrations_applied = False


def _pending_migrations() -> bool:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connection)
        _migrations_applied = not executor.migration_plan(executor.loader.graph.leaf_nodes())
    return not _migrations_applied


@never_cache
def healthz(request):
    """For load balancers and monitoring: 503 when this server cannot do its work."""
    from intake.documents import storage
    from intake.models import OutboundEmail

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        oldest = (
            OutboundEmail.objects.filter(state=OutboundEmail.State.PENDING)
            .order_by("created_at")
            .values_list("created_at", flat=True)
            .first()
        )
        pending = _pending_migrations()
    except DatabaseError:
        return JsonResponse({"database": "unavailable"}, status=503)
    store_ok = storage.reachable()
    return JsonResponse(
        {
            "database": "ok",
            "documents": "ok" if store_ok else "unavailable",
            "migrations": "pending" if pending else "applied",
            # How long the oldest unsent email has waited: a stuck email worker shows here first.
            "email_backlog_seconds": int((timezone.now() - oldest) / timedelta(seconds=1)) if oldest else 0,
        },
        status=200 if store_ok else 503,
    )


def favicon(request):
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def server_error(request):
    """Django's error page, but a database that is down or restarting gets its own honest 503.

    Rendered without context processors: they would ask the database who is signed in."""
    error = sys.exc_info()[1]
    if isinstance(error, DatabaseError):
        fields = []
        if request.method == "POST" and not request.FILES and not isinstance(error, SessionNotSaved):
            # The answers travel back in the page, so "Try again" sends them once more.
            fields = [(k, v) for k in request.POST for v in request.POST.getlist(k)]
        html = loader.get_template("503.html").render({"fields": fields, "path": request.path})
        response = HttpResponse(html, status=503)
        response["Retry-After"] = "60"
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
