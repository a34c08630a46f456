"""Start-up checks for production: what the app can run without, but should not."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Warning, register

from intake import consent


@register()
def virus_scanner_configured(app_configs, **kwargs):
    if settings.DEBUG or settings.CLAMD_SOCKET or settings.CLAMD_HOST:
        return []
    return [
        Warning(
            "No virus scanner is configured: uploaded documents are kept as “not scanned”, and staff "
            "cannot open them.",
            hint="Set CLAMD_SOCKET (or CLAMD_HOST and CLAMD_PORT) to a running clamd; housekeeping then "
            "scans the documents kept meanwhile. See README.",
            id="intake.W001",
        )
    ]


@register()
def retention_matches_the_consent(app_configs, **kwargs):
    promised = consent.KEPT_AFTER_CLOSING_DAYS[consent.CURRENT_VERSION]
    if promised == settings.RETENTION_CLOSED_CASE_DAYS:
        return []
    return [
        Warning(
            f"RETENTION_CLOSED_CASE_DAYS is {settings.RETENTION_CLOSED_CASE_DAYS}, but the consent families "
            f"agree to (version {consent.CURRENT_VERSION}) promises up to {promised} days after closing.",
            hint="Write a new consent version in intake/consent.py with the new period (in every language) "
            "and set KEPT_AFTER_CLOSING_DAYS for it, or set RETENTION_CLOSED_CASE_DAYS back.",
            id="intake.W003",
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
