import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.models import Device

# Recovery codes avoid characters that are easy to misread when copied from paper (0/O, 1/I/L).
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_CODE_COUNT = 10


def normalise_recovery_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def hash_recovery_code(code: str) -> str:
    # Codes carry 60 random bits, so a keyed hash is enough: a copy of the database alone gives
    # nothing to try offline, and checking stays a single indexed lookup.
    return salted_hmac(
        "accounts.recovery-code", normalise_recovery_code(code), algorithm="sha256"
    ).hexdigest()


class RecoveryCodeDevice(Device):
    """Single-use codes for the day the phone is lost. Only their hashes are stored."""

    class Meta(Device.Meta):
        verbose_name = "recovery codes"
        verbose_name_plural = "recovery codes"

    def new_codes(self) -> list[str]:
        """Replace any earlier codes with fresh ones, and return them: the only time they are readable."""
        codes = [
            "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(4)) for _ in range(3))
            for _ in range(RECOVERY_CODE_COUNT)
        ]
        self.codes.all().delete()
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=self, code_hash=hash_recovery_code(code)) for code in codes
        )
        return codes

    def verify_token(self, token) -> bool:
        used = self.codes.filter(code_hash=hash_recovery_code(str(token)), used_at__isnull=True).update(
            used_at=timezone.now()
        )
        return used == 1

    def remaining(self) -> int:
        return self.codes.filter(used_at__isnull=True).count()


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["device", "code_hash"], name="recovery_code_unique"),
        ]

    def __str__(self) -> str:
        return f"Recovery code {self.pk}"


class StaffSession(models.Model):
    """Which sessions belong to which staff member, so that all of them can be ended at once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        permissions = [("reset_second_factor", "Can reset another staff member's second factor")]

    def __str__(self) -> str:
        return f"Session of user {self.user_id}"
