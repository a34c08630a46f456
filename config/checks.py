from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ImproperlyConfigured


def require_static_manifest() -> None:
    if settings.DEBUG:
        return
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    if manifest and not staticfiles_storage.exists(manifest):
        raise ImproperlyConfigured(
            f"The static files manifest {settings.STATIC_ROOT / manifest} is missing: "
            "run `python manage.py collectstatic` before starting the web server (make serve does)."
        )
