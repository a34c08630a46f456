from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "intake"
    verbose_name = "Family cases"

    def ready(self):
        # Registers the production start-up checks (a missing virus scanner, for one).
        from intake import checks  # noqa: F401
