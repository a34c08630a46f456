from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Reviews"

    def ready(self):
        # Connects the receivers that record family-side events in the audit trail.
        from assessments import audit  # noqa: F401
