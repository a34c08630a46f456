"""Start-up checks for production: what the app can run without, but should not."""

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
