"""Demo staff accounts for `make run`: each with a confirmed authenticator, so a newcomer can sign in."""

import secrets
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.db import transaction

from accounts import factors
from accounts.models import RecoveryCodeDevice

DEMO_ACCOUNTS = [
    # username, role, superuser
    ("demo", "Supervisor", True),
    ("coordinator", "Coordinator", False),
    ("reviewer", "Reviewer", False),
    ("reviewer2", "Reviewer", False),
]


def set_up(credentials: Path) -> None:
    """Create the demo accounts, or give existing ones a new password and authenticator, and write
    them down in `credentials`, one account a line."""
    password = secrets.token_urlsafe(12)
    lines = []
    with transaction.atomic():
        for username, role, superuser in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"email": f"{username}@example.org", "is_staff": True, "is_superuser": superuser},
            )
            user.set_password(password)
            user.save()
            user.groups.add(Group.objects.get(name=role))
            factors.TOTPDevice.objects.filter(user=user).delete()
            RecoveryCodeDevice.objects.filter(user=user).delete()
            device = factors.TOTPDevice.objects.create(user=user, name="Demo authenticator", confirmed=True)
            lines.append(f"{username:<12} {role:<12} totp:{factors.secret_base32(device)}\n")
    credentials.parent.mkdir(parents=True, exist_ok=True)
    credentials.write_text(
        "Demo accounts (development only). Sign in at /accounts/login/ with the password below, then\n"
        "type the code that `.venv/bin/python manage.py demo_code <username>` prints (or add the totp\n"
        "secret to an authenticator app).\n" + "".join(lines) + f"Password: {password}\n"
    )
    credentials.chmod(0o600)
