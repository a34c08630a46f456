from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from accounts.sudo import confirmation_needed
from assessments import exports, retention
from assessments.actions import record_case_view
from assessments.audit import record
from assessments.models import AuditEvent, LegalHold, Note, Snippet, UpcomingPurge
from intake.admin import CaseAdmin as FamilyCaseAdmin
from intake.models import Case


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    fields = ["created_at", "author", "body"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


admin.site.unregister(Case)


@admin.register(Case)
class CaseAdmin(FamilyCaseAdmin):
    inlines = [*FamilyCaseAdmin.inlines, NoteInline]
    actions = ["export_csv"]

    @admin.action(description="Export selected cases as CSV", permissions=["export"])
    def export_csv(self, request, queryset):
        refusal = confirmation_needed(request)
        if refusal:
            return refusal
        columns = exports.chosen_columns([])
        cases = queryset.order_by("urgency", "submitted_at", "pk")
        detail = {
            "format": "csv",
            "count": cases.count(),
            "filters": {"admin_selection": True},
            "columns": [],
        }
        record(AuditEvent.Action.EXPORTED, actor=request.user, request=request, detail=detail)
        response = exports.csv_response(cases, columns)
        add_never_cache_headers(response)
        return response

    def has_export_permission(self, request):
        return request.user.has_perm("intake.export_cases")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Reading a case in the admin is a view of the case like any other: it goes in the trail.
        case = self.get_object(request, object_id)
        if case is not None and request.method == "GET":
            record_case_view(case=case, user=request.user, request=request, page="admin")
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["case", "author", "created_at"]
    search_fields = ["=case__reference"]
    list_select_related = ["case", "author"]
    readonly_fields = ["case", "author", "body", "created_at"]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "actor_label", "case_reference", "ip_address"]
    list_filter = ["action", "at"]
    search_fields = ["=case_reference", "=actor_label"]
    date_hierarchy = "at"
    show_full_result_count = False
    readonly_fields = [
        "at",
        "action",
        "actor",
        "actor_label",
        "case",
        "case_reference",
        "ip_address",
        "detail",
    ]

    # Append-only: nobody adds, changes or deletes audit events here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Snippet)
class SnippetAdmin(admin.ModelAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["title", "kind", "section", "option_kind", "active"]
    list_filter = ["kind", "section", "active"]
    search_fields = ["title", "body", "option_title"]
    fieldsets = [
        (None, {"fields": ["title", "kind", "active"]}),
        ("Paragraph", {"fields": ["section", "body"]}),
        (
            "Option block",
            {
                "fields": [
                    "option_kind",
                    "option_title",
                    "what_it_is",
                    "why_it_may_fit",
                    "what_to_ask",
                    "identifier",
                    "link",
                ]
            },
        ),
    ]


class SupervisorsOnly:
    """Read-only lists for supervisors (the hold_case permission); changes go through the actions."""

    def has_module_permission(self, request):
        return request.user.has_perm("intake.hold_case")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("intake.hold_case")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UpcomingPurge)
class UpcomingPurgeAdmin(SupervisorsOnly, admin.ModelAdmin):
    """What the retention rules will purge next, and when; held cases are marked."""

    list_display = ["reference", "closed_on", "purge_on", "legal_hold_reason"]
    list_display_links = None
    search_fields = ["reference"]
    ordering = ["status_changed_at", "pk"]

    def get_queryset(self, request):
        return retention.closed_not_purged().select_related("legal_hold")

    @admin.display(description="closed on", ordering="status_changed_at")
    def closed_on(self, case):
        return case.status_changed_at.date()

    @admin.display(description="purged on")
    def purge_on(self, case):
        return "kept (legal hold)" if hasattr(case, "legal_hold") else retention.purge_on(case)

    @admin.display(description="legal hold")
    def legal_hold_reason(self, case):
        return case.legal_hold.reason if hasattr(case, "legal_hold") else ""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The case itself is read on its own page, where the reading is recorded.
        case = self.get_object(request, object_id)
        return redirect("assessments:case", reference=case.reference) if case else redirect("admin:index")


@admin.register(LegalHold)
class LegalHoldAdmin(SupervisorsOnly, admin.ModelAdmin):
    list_display = ["case", "placed_at", "placed_by", "reason"]
    list_select_related = ["case", "placed_by"]
    ordering = ["-placed_at"]
