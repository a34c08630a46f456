import logging

from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


def require_static_manifest() -> None:
    if settings.DEBUG:
        return
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and not staticfiles_storage.exists(manifest):
        raise ImproperlyConfigured(
            f"The static files manifest {settings.STATIC_ROOT / manifest} is missing: "
            "run `python manage.py collectstatic` before starting the web server (make serve does)."
        )


def warn_at_start() -> None:
    """The system checks' warnings in the web server's log too: gunicorn runs no manage.py command,
    so a site without its virus scanner or translations would otherwise start in silence."""
    for message in checks.run_checks():
        if message.is_silenced() or message.level < checks.WARNING:
            continue
        logger.log(logging.ERROR if message.is_serious() else logging.WARNING, "%s", message)
