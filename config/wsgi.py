import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

from config.checks import require_static_manifest, warn_at_start  # noqa: E402  (needs the settings)

# Without the manifest every page would answer 500: refuse to start instead, and say why.
require_static_manifest()
warn_at_start()
