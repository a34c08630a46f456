"""Security events from Django's sign-in, django-axes and changes to accounts, into the audit trail."""

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts import sessions
from accounts.models import StaffSession
from assessments.audit import record
from assessments.models import AuditEvent

Action = AuditEvent.Action
User = get_user_model()


@receiver(user_logged_in, dispatch_uid="accounts.password_accepted")
def password_accepted(sender, request, user, **kwargs):
    # The sign-in is recorded once both factors are given (accounts.factors); here the clocks start.
    sessions.start(request)
    sessions.track(request, user)


@receiver(user_login_failed, dispatch_uid="accounts.password_refused")
def password_refused(sender, credentials, request=None, **kwargs):
    detail = {"step": "password"}
    if request is not None and getattr(request, "axes_locked_out", False):
        detail["refused"] = "locked out"
    record(
        Action.SIGN_IN_FAILED,
        actor_label=str(credentials.get("username") or "")[:150] or "unknown",
        request=request,
        detail=detail,
    )


@receiver(user_locked_out, dispatch_uid="accounts.locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    record(Action.LOCKED_OUT, actor_label=username or "unknown", request=request, ip=ip_address)


@receiver(user_logged_out, dispatch_uid="accounts.signed_out")
def signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "staff_signout_reason", None)
    if reason:
        record(Action.SESSION_EXPIRED, actor=user, request=request, detail={"reason": reason})
    else:
        record(Action.SIGNED_OUT, actor=user, request=request)
    if request.session.session_key:
        StaffSession.objects.filter(session_key=request.session.session_key).delete()


@receiver(pre_save, sender=User, dispatch_uid="accounts.remember_active")
def remember_active(sender, instance, update_fields=None, **kwargs):
    # One query, and none for the frequent saves that cannot switch an account off (last_login).
    if instance.pk is None or (update_fields is not None and "is_active" not in update_fields):
        instance._was_active = None
        return
    instance._was_active = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()


@receiver(post_save, sender=User, dispatch_uid="accounts.end_sessions_of_deactivated")
def end_sessions_of_deactivated(sender, instance, created, **kwargs):
    if getattr(instance, "_was_active", None) and not instance.is_active:
        ended = sessions.end_all(instance)
        record(
            Action.SESSIONS_ENDED,
            actor_label="system",
            detail={"user": instance.get_username(), "reason": "account deactivated", "sessions": ended},
        )
