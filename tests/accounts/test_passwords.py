"""Passwords: long enough, not common, hashed with Argon2, old hashes upgraded at sign-in."""

import pytest
from django.conf import settings as project_settings
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.test import Client

from config import settings as configured
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def argon2(settings):
    settings.PASSWORD_HASHERS = configured.PASSWORD_HASHERS


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short pass", "at least 12 characters"),
        ("password1234", "too common"),
        ("394827561038", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(password, problem):
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password)
    assert problem in " ".join(refused.value.messages)


def test_a_long_passphrase_is_fine():
    password_validation.validate_password("river otter plays at dawn")


def test_passwords_are_hashed_with_argon2_and_old_hashes_upgraded_at_sign_in(argon2, alice):
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    alice.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    alice.save()
    response = Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.password.startswith("argon2$argon2id$")
    assert alice.check_password(PASSWORD)
