"""Staff accounts in the admin: who has a second factor, lockouts, and sudo mode for role changes."""

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group, User
from django.db import transaction

from accounts import factors, sessions
from accounts.sudo import confirmation_needed
from assessments.audit import record
from assessments.models import AuditEvent


class SudoAdminMixin:
    """Roles and people change only after the password or a code was given again recently."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return confirmation_needed(request) or super().changeform_view(
            request, object_id, form_url, extra_context
        )

    def delete_view(self, request, object_id, extra_context=None):
        return confirmation_needed(request) or super().delete_view(request, object_id, extra_context)


admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(SudoAdminMixin, DjangoUserAdmin):
    list_display = ["username", "email", "is_active", "is_staff", "roles", "second_factor", "last_login"]
    list_filter = ["is_active", "is_staff", "groups"]
    actions = ["reset_second_factor"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups", "totpdevice_set")

    @admin.display(description="Roles")
    def roles(self, user):
        return ", ".join(group.name for group in user.groups.all())

    @admin.display(description="Second factor", boolean=True)
    def second_factor(self, user):
        return any(device.confirmed for device in user.totpdevice_set.all())

    @admin.action(
        description="Reset second factor (they set it up again at next sign-in)", permissions=["reset"]
    )
    def reset_second_factor(self, request, queryset):
        refusal = confirmation_needed(request)
        if refusal:
            return refusal
        people = [person for person in queryset if person != request.user]
        for person in people:
            factors.reset(user=person, by=request.user, request=request)
        self.message_user(
            request, f"Second factor reset for {len(people)} staff member(s).", messages.SUCCESS
        )
        return None

    def has_reset_permission(self, request):
        return request.user.has_perm("accounts.reset_second_factor")

    def user_change_password(self, request, id, form_url=""):
        refusal = confirmation_needed(request)
        if refusal:
            return refusal
        before = User.objects.filter(pk=id).values_list("password", flat=True).first()
        response = super().user_change_password(request, id, form_url)
        person = User.objects.filter(pk=id).first()
        if person and before and person.password != before:
            # A new password ends every session the old one opened, on every device.
            keep = request.session.session_key if person == request.user else None
            with transaction.atomic():
                ended = sessions.end_all(person, keep=keep)
                record(
                    AuditEvent.Action.SESSIONS_ENDED,
                    actor=request.user,
                    request=request,
                    detail={"user": person.get_username(), "reason": "password reset", "sessions": ended},
                )
        return response


@admin.register(Group)
class GroupAdmin(SudoAdminMixin, DjangoGroupAdmin):
    pass


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """Lockouts, visible to supervisors. Deleting an attempt lifts the lockout, and is recorded."""

    actions = ["lift_lockout"]

    @admin.action(description="Lift the lockout", permissions=["delete"])
    def lift_lockout(self, request, queryset):
        self.delete_queryset(request, queryset)
        self.message_user(request, "Lockout lifted. They can sign in again now.", messages.SUCCESS)

    def delete_model(self, request, obj):
        self.delete_queryset(request, AccessAttempt.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for attempt in queryset:
                record(
                    AuditEvent.Action.UNLOCKED,
                    actor=request.user,
                    request=request,
                    detail={"username": attempt.username, "address": attempt.ip_address},
                )
            queryset.delete()
