"""Start-up checks for production: what the app can run without, but should not."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register


@register()
def virus_scanner_configured(app_configs, **kwargs):
    if settings.DEBUG or settings.CLAMD_SOCKET or settings.CLAMD_HOST:
        return []
    return [
        Warning(
            "No virus scanner is configured: uploaded documents are kept as “not scanned”.",
            hint="Set CLAMD_SOCKET (or CLAMD_HOST and CLAMD_PORT) to a running clamd; see README.",
            id="intake.W001",
        )
    ]


@register()
def translations_compiled(app_configs, **kwargs):
    """Without compiled catalogues, families who chose Spanish would silently read English."""
    problems = []
    for po in sorted(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po")):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            problems.append(
                Warning(
                    f"{mo} is missing or older than {po.name}: its pages and emails would be in English.",
                    hint="Run `make translations` (python manage.py compilemessages), as `make run`, "
                    "`make serve` and `make test` do.",
                    id="intake.W002",
                )
            )
    return problems
