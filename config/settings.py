"""Settings for Case Intake, all read from the environment.

Development works with nothing set. Production sets DJANGO_DEBUG=0 and at least SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and SITE_URL; see README.md for the full table.
"""

import base64
import binascii
import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"  # noqa: S105


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be one of 1/0, true/false, yes/no, on/off, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def parse_key_ring(name: str, value: str) -> dict[str, bytes]:
    """`id:base64key,id:base64key` as an ordered dict of 32-byte keys; the first is the current one."""
    ring: dict[str, bytes] = {}
    for item in value.split(","):
        key_id, sep, encoded = item.strip().partition(":")
        if not sep or not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", key_id):
            raise ImproperlyConfigured(
                f"{name} must look like id:base64key,id:base64key (ids of letters and digits)"
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ImproperlyConfigured(f"{name}: the key for {key_id!r} is not valid base64") from None
        if len(key) != 32:
            raise ImproperlyConfigured(
                f"{name}: the key for {key_id!r} must be 32 bytes (256 bits), not {len(key)}"
            )
        if key_id in ring:
            raise ImproperlyConfigured(f"{name}: the id {key_id!r} appears twice")
        ring[key_id] = key
    return ring


def development_key_ring(path: Path) -> str:
    """A master key for development, made on first use and kept beside the embedded database."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = f"dev1:{base64.b64encode(secrets.token_bytes(32)).decode()}"
        # Created with mode 0600 in one step, so the key is never readable by others, not even briefly.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as out:
            out.write(key + "\n")
    return path.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", DEV_SECRET_KEY)
if not DEBUG and SECRET_KEY in ("", DEV_SECRET_KEY):
    raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_DEBUG is off")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# The public address, used for links in emails (the family's private link).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env_str("SITE_NAME", "Case Intake")
ORGANISATION_NAME = env_str("ORGANISATION_NAME", "Case Intake Patient Advocacy")
ORGANISATION_EMAIL = env_str("ORGANISATION_EMAIL", "help@example.org")
ORGANISATION_PHONE = env_str("ORGANISATION_PHONE", "")

INSTALLED_APPS = [
    "accounts.apps.StaffAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "intake",
    "trials",
    "assessments",
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Family pages in the family's language, staff pages in English (intake/languages.py).
    "intake.languages.FamilyLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.StaffSignInMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "intake.languages.language_switch",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
                "accounts.context_processors.staff_session",
            ],
        },
    },
]


# Widgets render through the project's templates too (templates/widgets/).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

# PostgreSQL only. Without DATABASE_URL an embedded server from the pgserver wheel runs with its
# data under .data/postgres, so a new machine needs nothing installed by hand.
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / ".data")))
if os.environ.get("DATABASE_URL"):
    try:
        default_db = dj_database_url.parse(
            os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
        )
    except ValueError as e:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {e}") from None
    if default_db["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...)")
else:
    from config.embedded_postgres import embedded_database

    default_db = embedded_database(DATA_DIR / "postgres")
# Connections are kept between requests and checked before reuse, so after a database restart the
# next request opens a new one instead of failing on the old.
default_db.update({"CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True})
DATABASES = {"default": default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Staff sign-in: a password (Argon2), then a code from an authenticator app. Older password hashes
# are upgraded to Argon2 the next time their owner signs in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out username is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "assessments:queue"
LOGOUT_REDIRECT_URL = "home"

# Lockout: this many wrong passwords for one username from one address lock that pair for a while.
AXES_FAILURE_LIMIT = env_int("SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("SIGN_IN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The lock ends when the page said it would, however often someone knocks meanwhile.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "config.client.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
# Every sign-in is in our own audit trail already.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

# The second factor. django-otp's growing delays are replaced by our own rule (accounts.factors):
# after OTP_FAILURE_LIMIT wrong codes the device locks for OTP_LOCKOUT_MINUTES.
OTP_TOTP_ISSUER = SITE_NAME
OTP_TOTP_THROTTLE_FACTOR = 0
# Codes from one step before or after ours are accepted, always measured from our own clock.
OTP_TOTP_SYNC = False
OTP_FAILURE_LIMIT = 5
OTP_LOCKOUT_MINUTES = env_int("OTP_LOCKOUT_MINUTES", 15)

# Staff sessions end after this long without activity, and after STAFF_SESSION_HOURS in any case.
STAFF_IDLE_SECONDS = env_int("STAFF_IDLE_MINUTES", 15) * 60
STAFF_SESSION_SECONDS = env_int("STAFF_SESSION_HOURS", 12) * 60 * 60
# Pages warn this long before the idle sign-out, with a button to stay signed in.
STAFF_IDLE_WARNING_SECONDS = 120
# Bulk exports and role changes need the password or a code given within this many minutes.
STAFF_REAUTH_SECONDS = env_int("STAFF_REAUTH_MINUTES", 15) * 60

# Families read every page and email in English or Spanish (see intake/languages.py); staff pages
# are always in English. The Spanish catalogue is locale/es/LC_MESSAGES/django.po, compiled to .mo
# by `make run`, `make test` and `make serve` (the .mo files are not kept in git).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}

# Uploaded medical documents, always encrypted (see intake/documents). They are kept in a private
# folder that no URL maps to, or in an S3-compatible bucket when DOCUMENTS_S3_BUCKET is set. Files are
# only ever read through views that check access. There is deliberately no MEDIA_URL.
PRIVATE_UPLOAD_ROOT = Path(env_str("PRIVATE_UPLOAD_ROOT", str(DATA_DIR / "uploads")))
DOCUMENTS_S3_BUCKET = env_str("DOCUMENTS_S3_BUCKET", "")
if DOCUMENTS_S3_BUCKET:
    from botocore.config import Config as BotocoreConfig

    STORAGES["documents"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": DOCUMENTS_S3_BUCKET,
            # Empty means AWS itself; any S3-compatible store (SeaweedFS, MinIO, Ceph...) sets its URL.
            "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL", "") or None,
            "region_name": env_str("DOCUMENTS_S3_REGION", "") or None,
            # Unset keys fall back to boto3's own chain (AWS_* variables, instance or task roles).
            "access_key": env_str("DOCUMENTS_S3_ACCESS_KEY_ID", "") or None,
            "secret_key": env_str("DOCUMENTS_S3_SECRET_ACCESS_KEY", "") or None,
            "addressing_style": env_str("DOCUMENTS_S3_ADDRESSING_STYLE", "") or None,
            "location": env_str("DOCUMENTS_S3_PREFIX", "").strip("/"),
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": True,  # keys are random; skip the existence check before each write
            # A store that does not answer is noticed in seconds (uploads wait, /healthz says so).
            "client_config": BotocoreConfig(connect_timeout=5, read_timeout=60, retries={"mode": "standard"}),
        },
    }
else:
    STORAGES["documents"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": PRIVATE_UPLOAD_ROOT,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }

# The master keys that wrap each document's own data key: `id:base64key,...`, newest first. New
# documents use the first; the others stay until `manage.py rotate_document_keys` has re-wrapped
# every document. Development makes one in DATA_DIR on first run; production must set it.
if os.environ.get("DOCUMENT_KEYS"):
    DOCUMENT_KEYS = parse_key_ring("DOCUMENT_KEYS", os.environ["DOCUMENT_KEYS"])
elif DEBUG:
    DOCUMENT_KEYS = parse_key_ring("DOCUMENT_KEYS", development_key_ring(DATA_DIR / "document-keys.txt"))
else:
    raise ImproperlyConfigured(
        "DOCUMENT_KEYS must be set when DJANGO_DEBUG is off (see README: key handling)"
    )

# The virus scanner: ClamAV's clamd on a unix socket, or on a host and port. Unset means documents are
# kept as "not scanned", which a system check warns about when debug is off.
CLAMD_SOCKET = env_str("CLAMD_SOCKET", "")
CLAMD_HOST = env_str("CLAMD_HOST", "")
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Email. In development the console backend prints messages; production sets EMAIL_HOST.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"{ORGANISATION_NAME} <{ORGANISATION_EMAIL}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Sessions: family drafts live in the session, so a closed tab in the same browser keeps them.
# Staff sessions are much shorter: see STAFF_IDLE_SECONDS above.
SESSION_ENGINE = "config.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 24 * 7

# Security headers on from day one; the HTTPS-only ones once debug is off.
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not DEBUG:
    # Off only for `make serve`, which runs on loopback without TLS.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Logs never carry health details: requests are logged by path only, and paths hold nothing but
# reference codes and random tokens.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"hide_family_links": {"()": "config.logfilters.HideFamilyLinks"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["hide_family_links"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint narrates every PDF at INFO; only its warnings are worth reading.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; our audit trail records them already.
        "axes": {"level": "WARNING"},
        # pypdf describes every oddity of a damaged PDF; we refuse those with our own message.
        "pypdf": {"level": "ERROR"},
    },
}

# The family's case form
INTAKE_DRAFT_EXPIRY_DAYS = env_int("INTAKE_DRAFT_EXPIRY_DAYS", 7)
# A person needs at least this long to fill in every page; faster submissions are bots.
INTAKE_MIN_FILL_SECONDS = env_int("INTAKE_MIN_FILL_SECONDS", 30)
INTAKE_SUBMISSIONS_PER_IP_PER_HOUR = env_int("INTAKE_SUBMISSIONS_PER_IP_PER_HOUR", 5)
# "Save and finish later": resume links one unfinished form may have emailed in an hour.
INTAKE_RESUME_EMAILS_PER_HOUR = env_int("INTAKE_RESUME_EMAILS_PER_HOUR", 5)
UPLOAD_MAX_FILE_MB = env_int("UPLOAD_MAX_FILE_MB", 10)
UPLOAD_MAX_FILES = env_int("UPLOAD_MAX_FILES", 10)
UPLOAD_MAX_TOTAL_MB = env_int("UPLOAD_MAX_TOTAL_MB", 50)
# Larger pictures are refused before they are decoded: a small file can unpack to gigabytes.
UPLOAD_MAX_MEGAPIXELS = env_int("UPLOAD_MAX_MEGAPIXELS", 50)
# Larger requests are refused before they reach a view; uploads stream to disk above 2.5 MB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# The response clock: first answer due within these many working days, by urgency.
RESPONSE_BUSINESS_DAYS = {
    "urgent": env_int("RESPONSE_DAYS_URGENT", 2),
    "high": env_int("RESPONSE_DAYS_HIGH", 5),
    "routine": env_int("RESPONSE_DAYS_ROUTINE", 10),
}
RESPONSE_DUE_SOON_HOURS = env_int("RESPONSE_DUE_SOON_HOURS", 24)
# The dashboard's target line: the share of first answers that should be sent on time, in percent.
RESPONSE_ON_TIME_TARGET_PERCENT = env_int("RESPONSE_ON_TIME_TARGET_PERCENT", 90)
if not 0 <= RESPONSE_ON_TIME_TARGET_PERCENT <= 100:
    raise ImproperlyConfigured("RESPONSE_ON_TIME_TARGET_PERCENT must be between 0 and 100")

# The family's private case page
FAMILY_CODE_MINUTES = env_int("FAMILY_CODE_MINUTES", 15)
FAMILY_CODES_PER_HOUR = env_int("FAMILY_CODES_PER_HOUR", 5)
FAMILY_ACCESS_HOURS = env_int("FAMILY_ACCESS_HOURS", 12)
LOST_LINK_REQUESTS_PER_HOUR = env_int("LOST_LINK_REQUESTS_PER_HOUR", 10)
DELETION_GRACE_DAYS = env_int("DELETION_GRACE_DAYS", 7)
# Retention: closed cases lose their personal and health details this many days after closing
# (assessments/retention.py). Statistics and the audit trail stay. The privacy page shows this number;
# the consent words promise 730 days, and intake.W003 warns when they differ.
RETENTION_CLOSED_CASE_DAYS = env_int("RETENTION_CLOSED_CASE_DAYS", 730)
if RETENTION_CLOSED_CASE_DAYS < 1:
    raise ImproperlyConfigured("RETENTION_CLOSED_CASE_DAYS must be at least 1")
# A second look: reports need a supervisor's approval before they can be sent.
REPORT_REQUIRES_APPROVAL = env_bool("REPORT_REQUIRES_APPROVAL", False)

# Options research: the trial catalogue and matching (see trials/)
# "Within reach" for a family that travels only close to home, measured from their ZIP code.
TRIALS_LOCAL_MILES = env_int("TRIALS_LOCAL_MILES", 100)
# A record not updated at the source for this long gets a "check the status" note.
TRIALS_STALE_DAYS = env_int("TRIALS_STALE_DAYS", 365)
TRIALS_API_URL = env_str("TRIALS_API_URL", "https://clinicaltrials.gov/api/v2/studies")
TRIALS_API_RETRIES = env_int("TRIALS_API_RETRIES", 5)
TRIALS_API_BACKOFF_SECONDS = float(env_int("TRIALS_API_BACKOFF_MS", 2000)) / 1000
TRIALS_API_TIMEOUT = env_int("TRIALS_API_TIMEOUT", 60)
