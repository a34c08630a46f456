from django.contrib import admin, messages

from intake.models import (
    Case,
    Consent,
    ConsentRecord,
    DeletionRequest,
    Document,
    Draft,
    FamilyLink,
    Message,
    OutboundEmail,
    Report,
    Treatment,
)

# What the family told us is their record: staff may read it here, never rewrite it.
PERSONAL_FIELDS = [
    "contact_name",
    "contact_email",
    "contact_phone",
    "relationship",
    "contact_preference",
    "preferred_language",
    "patient_name",
    "patient_age",
    "patient_birth_year",
    "sex_at_birth",
    "country",
    "region",
    "postal_code",
    "travel",
    "diagnosis",
    "diagnosis_other",
    "diagnosed_on",
    "disease_status",
    "genetic_results",
    "treating_center",
    "condition",
    "goals",
    "goals_other",
    "urgency_in_own_words",
    "anything_else",
]


class TreatmentInline(admin.TabularInline):
    model = Treatment
    extra = 0
    fields = ["position", "kind", "name", "started_on", "ended_on", "outcome"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class DocumentInline(admin.TabularInline):
    model = Document
    fk_name = "case"
    extra = 0
    fields = ["original_name", "kind", "source", "content_type", "size", "scan_state", "flags", "uploaded_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class ConsentInline(admin.StackedInline):
    model = Consent
    extra = 0
    readonly_fields = [
        "version",
        "privacy_notice",
        "reviewers_may_read",
        "research_contact",
        "agreed_at",
        "ip_address",
        "user_agent",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ConsentRecordInline(admin.TabularInline):
    """Every consent decision per purpose, with its words' version, time and address."""

    model = ConsentRecord
    extra = 0
    fields = ["at", "purpose", "share", "given", "text_version", "via", "ip_address"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class FamilyLinkInline(admin.TabularInline):
    model = FamilyLink
    extra = 0
    fields = ["id", "created_at", "revoked_at"]
    readonly_fields = ["id", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ["created_at", "sender", "author", "kind", "body", "seen_by_staff_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReportInline(admin.TabularInline):
    model = Report
    extra = 0
    fields = ["version", "written_by", "updated_at", "approved_by", "approved_at", "sent_by", "sent_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "status",
        "urgency",
        "diagnosis",
        "disease_status",
        "submitted_at",
        "assigned_to",
    ]
    list_filter = ["status", "urgency", "disease_status", "diagnosis", "submitted_at"]
    search_fields = ["=reference"]
    date_hierarchy = "submitted_at"
    list_select_related = ["assigned_to"]
    list_per_page = 50
    show_full_result_count = False  # counting 100,000 rows on every page is wasted work
    inlines = [
        ConsentInline,
        ConsentRecordInline,
        TreatmentInline,
        DocumentInline,
        FamilyLinkInline,
        ReportInline,
        MessageInline,
    ]
    # Workflow fields change only through the reviewer actions, which record who and why.
    readonly_fields = [
        "reference",
        "submitted_at",
        "status",
        "urgency",
        "assigned_to",
        *PERSONAL_FIELDS,
        "suggested_urgency",
        "urgency_reasons",
        "status_changed_at",
        "response_due_at",
        "first_response_at",
        "clock_paused_at",
        "paused_seconds",
        "triaged_at",
        "assigned_at",
        "family_replied_at",
    ]
    fieldsets = [
        (
            "Case",
            {
                "fields": [
                    "reference",
                    "submitted_at",
                    "status",
                    "status_changed_at",
                    "urgency",
                    "assigned_to",
                ]
            },
        ),
        ("About the person writing", {"fields": PERSONAL_FIELDS[:6]}),
        ("The patient", {"fields": PERSONAL_FIELDS[6:14]}),
        ("Diagnosis", {"fields": PERSONAL_FIELDS[14:20]}),
        ("Now and goals", {"fields": PERSONAL_FIELDS[20:]}),
        (
            "Triage and response clock",
            {
                "fields": [
                    "suggested_urgency",
                    "urgency_reasons",
                    "triaged_at",
                    "assigned_at",
                    "response_due_at",
                    "clock_paused_at",
                    "paused_seconds",
                    "first_response_at",
                    "family_replied_at",
                ]
            },
        ),
    ]

    def has_add_permission(self, request):
        # Cases come from families through the form, never typed in by staff.
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["id", "case", "kind", "source", "content_type", "size", "scan_state", "uploaded_at"]
    list_filter = ["scan_state", "kind", "source", "content_type", "key_id"]
    search_fields = ["=case__reference"]
    list_select_related = ["case"]
    readonly_fields = [
        "id",
        "case",
        "draft",
        "source",
        "stored_name",
        "original_name",
        "size",
        "content_type",
        "sha256",
        "uploaded_at",
        "scan_state",
        "scan_result",
        "scanned_at",
        "flags",
        "key_id",
        "verified_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(Draft)
class DraftAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "updated_at", "case"]
    list_select_related = ["case"]
    fields = ["id", "created_at", "updated_at", "case"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "state", "attempts", "created_at", "next_attempt_at", "sent_at", "case"]
    list_filter = ["state", "kind"]
    search_fields = ["=case__reference", "=to"]
    list_select_related = ["case"]
    readonly_fields = [
        "created_at",
        "case",
        "kind",
        "to",
        "subject",
        "body_text",
        "body_html",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "sent_at",
    ]
    actions = ["retry_now"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Try sending the selected emails again now")
    def retry_now(self, request, queryset):
        from django.utils import timezone

        count = queryset.exclude(state=OutboundEmail.State.SENT).update(
            state=OutboundEmail.State.PENDING, next_attempt_at=timezone.now()
        )
        self.message_user(request, f"{count} email(s) will be tried again shortly.", messages.SUCCESS)


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["case", "version", "sent_at", "approved_at"]
    search_fields = ["=case__reference"]
    list_select_related = ["case"]
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # reports are written in the reviewer's report builder, where changes are recorded


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    list_display = ["case_reference", "state", "requested_at", "due_at", "carried_out_at", "carried_out_by"]
    list_filter = ["state"]
    search_fields = ["=case_reference"]
    readonly_fields = [f.name for f in DeletionRequest._meta.fields]

    def has_add_permission(self, request):
        return False
