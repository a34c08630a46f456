"""The second sign-in step: a code from an authenticator app (TOTP, RFC 6238) or a recovery code.

Each function here that changes something is an action: one transaction, one audit event.
"""

import time
from base64 import b32encode
from dataclasses import dataclass
from datetime import datetime, timedelta

import django_otp
import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.oath import TOTP, hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import sessions
from accounts.models import RecoveryCodeDevice
from assessments.audit import record
from assessments.models import AuditEvent

Action = AuditEvent.Action


@dataclass
class Outcome:
    device: TOTPDevice | RecoveryCodeDevice | None = None
    error: str = ""
    locked_until: datetime | None = None
    recovery_codes_left: int | None = None

    @property
    def ok(self) -> bool:
        return self.device is not None


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def pending_device(user) -> TOTPDevice:
    """The authenticator being set up: the same secret on every reload until it is confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    return b32encode(device.bin_key).decode()


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The code an authenticator app with a correct clock shows at that moment."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = at if at is not None else time.time()
    return f"{totp.token():0{device.digits}d}"


def qr_code_data_uri(device: TOTPDevice) -> str:
    # Drawn here as SVG, never by an outside service: the secret never leaves our server.
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


def locked_until(device: TOTPDevice) -> datetime | None:
    if (
        device.throttling_failure_count < settings.OTP_FAILURE_LIMIT
        or not device.throttling_failure_timestamp
    ):
        return None
    until = device.throttling_failure_timestamp + timedelta(minutes=settings.OTP_LOCKOUT_MINUTES)
    return until if until > timezone.now() else None


def _was_used_already(device: TOTPDevice, code: str) -> bool:
    """Whether the code is a real one from a time step already spent (a replay)."""
    now = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift).t()
    window = range(now - device.tolerance, min(now + device.tolerance, device.last_t) + 1)
    return any(hotp(device.bin_key, t, digits=device.digits) == int(code) for t in window)


def _lock_message(until: datetime) -> str:
    at = timezone.localtime(until).strftime("%H:%M")
    return (
        f"Too many wrong codes. For your safety, codes are not accepted until {at}. "
        f"If you need to get in sooner, ask a supervisor or email {settings.ORGANISATION_EMAIL}."
    )


def _check(user, device: TOTPDevice, code: str, *, request) -> Outcome:
    """Check a code against a locked device row, counting failures towards the lock."""
    until = locked_until(device)
    if until:
        return Outcome(error=_lock_message(until), locked_until=until)
    if device.throttling_failure_count >= settings.OTP_FAILURE_LIMIT:
        device.throttle_reset(commit=False)  # the last lock has run out: start counting again
    code = "".join(code.split())
    if code.isdigit() and len(code) == device.digits:
        replay = _was_used_already(device, code)
        if device.verify_token(code):
            return Outcome(device=device)
        error = (
            "That code has been used already. Please wait for the next code in your app."
            if replay
            else "That code is not right. Check the time on your phone, then try the newest code."
        )
    else:
        recovery = RecoveryCodeDevice.objects.filter(user=user, confirmed=True).first()
        if device.confirmed and recovery and recovery.verify_token(code):
            device.throttle_reset()
            left = recovery.remaining()
            record(Action.RECOVERY_CODE_USED, actor=user, request=request, detail={"left": left})
            return Outcome(device=recovery, recovery_codes_left=left)
        device.throttle_increment()
        error = "That is not a 6-digit code from your app, or a recovery code we know."
    record(Action.SIGN_IN_FAILED, actor=user, request=request, detail={"step": "second factor"})
    until = locked_until(device)
    if until:
        record(Action.SECOND_FACTOR_LOCKED, actor=user, request=request)
        return Outcome(error=_lock_message(until), locked_until=until)
    return Outcome(error=error)


def _complete(request, device, *, method: str) -> None:
    """Both factors given: mark the session verified under a new key."""
    django_otp.login(request, device)
    previous_key = request.session.session_key
    request.session.cycle_key()
    sessions.mark_confirmed(request)
    sessions.track(request, request.user, previous_key=previous_key)
    record(Action.SIGNED_IN, actor=request.user, request=request, detail={"method": method})


def _check_app_code(request, code: str) -> Outcome:
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=request.user, confirmed=True).first()
        if device is None:
            return Outcome(error="There is no authenticator app set up for this account.")
        return _check(request.user, device, code, request=request)


def verify(request, code: str) -> Outcome:
    """The second step of signing in, for someone whose authenticator is set up."""
    with transaction.atomic():
        outcome = _check_app_code(request, code)
        if outcome.ok:
            method = "recovery code" if outcome.recovery_codes_left is not None else "authenticator app"
            _complete(request, outcome.device, method=method)
    return outcome


def enrol(request, code: str) -> tuple[Outcome, list[str]]:
    """Confirm a new authenticator with its first code; returns the new recovery codes, once."""
    user = request.user
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return Outcome(error="An authenticator app is already set up for this account."), []
        device = TOTPDevice.objects.select_for_update().get(pk=pending_device(user).pk)
        outcome = _check(user, device, code, request=request)
        if not outcome.ok:
            return outcome, []
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        recovery, _ = RecoveryCodeDevice.objects.update_or_create(
            user=user, defaults={"name": "Recovery codes", "confirmed": True}
        )
        codes = recovery.new_codes()
        record(Action.SECOND_FACTOR_ENROLLED, actor=user, request=request)
        _complete(request, device, method="enrolment")
    return outcome, codes


def confirm_identity(request, *, password: str = "", code: str = "") -> Outcome:
    """Sudo mode: the password or a code again, before a bulk export or a change of roles."""
    from django.contrib.auth import authenticate

    user = request.user
    if password:
        # Through authenticate(), so that wrong passwords here count towards the lockout too.
        if authenticate(request, username=user.get_username(), password=password) is None:
            return Outcome(error="That password is not right.")
        outcome = Outcome(device=confirmed_device(user))
    else:
        outcome = _check_app_code(request, code)
    if outcome.ok:
        sessions.mark_confirmed(request)
        record(
            Action.REAUTHENTICATED,
            actor=user,
            request=request,
            detail={"with": "password" if password else "code"},
        )
    return outcome


def renew_recovery_codes(request) -> list[str]:
    with transaction.atomic():
        recovery, _ = RecoveryCodeDevice.objects.update_or_create(
            user=request.user, defaults={"name": "Recovery codes", "confirmed": True}
        )
        codes = recovery.new_codes()
        record(Action.RECOVERY_CODES_RENEWED, actor=request.user, request=request)
    return codes


def reset(*, user, by, request=None) -> None:
    """A supervisor clears someone's second factor: they must set up a new one at their next sign-in."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        RecoveryCodeDevice.objects.filter(user=user).delete()
        ended = sessions.end_all(user)
        record(
            Action.SECOND_FACTOR_RESET,
            actor=by,
            request=request,
            detail={"user": user.get_username(), "sessions_ended": ended},
        )
