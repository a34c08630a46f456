from django.contrib import admin

from trials.models import ApiImport, Site, Study


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["facility", "city", "state", "country", "latitude", "longitude", "status"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Study)
class StudyAdmin(admin.ModelAdmin):
    """The catalogue comes from ClinicalTrials.gov through import_trials: read-only here."""

    list_display = ["nct_id", "brief_title", "overall_status", "study_type", "source_updated_on"]
    list_filter = ["overall_status", "study_type", "sex"]
    search_fields = ["nct_id", "brief_title", "title", "conditions"]
    exclude = ["search_document"]
    inlines = [SiteInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiImport)
class ApiImportAdmin(admin.ModelAdmin):
    list_display = ["query", "pages_done", "studies_seen", "started_at", "finished_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
