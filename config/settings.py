"""Settings for Case Intake, all read from the environment.

Development works with nothing set. Production sets DJANGO_DEBUG=0 and at least SECRET_KEY,
ALLOWED_HOSTS, DATABASE_URL and SITE_URL; see README.md for the full table.
"""

import os
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
    "django.contrib.admin",
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
    "intake",
    "assessments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
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
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "config.context_processors.site",
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
        default_db = dj_database_url.parse(os.environ["DATABASE_URL"], conn_max_age=60)
    except ValueError as e:
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL: {e}") from None
    if default_db["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL must point to PostgreSQL (postgres://...)")
else:
    from config.embedded_postgres import embedded_database

    default_db = embedded_database(DATA_DIR / "postgres")
DATABASES = {"default": default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "assessments:queue"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
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

# Uploaded medical documents: a private folder that no URL maps to. Files are only ever read
# through views that check access. There is deliberately no MEDIA_URL.
PRIVATE_UPLOAD_ROOT = Path(env_str("PRIVATE_UPLOAD_ROOT", str(DATA_DIR / "uploads")))

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
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# Logs never carry health details: requests are logged by path only, and paths hold nothing but
# reference codes and random tokens.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # WeasyPrint narrates every PDF at INFO; only its warnings are worth reading.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# The family's case form
INTAKE_DRAFT_EXPIRY_DAYS = env_int("INTAKE_DRAFT_EXPIRY_DAYS", 7)
# A person needs at least this long to fill in every page; faster submissions are bots.
INTAKE_MIN_FILL_SECONDS = env_int("INTAKE_MIN_FILL_SECONDS", 30)
INTAKE_SUBMISSIONS_PER_IP_PER_HOUR = env_int("INTAKE_SUBMISSIONS_PER_IP_PER_HOUR", 5)
UPLOAD_MAX_FILE_MB = env_int("UPLOAD_MAX_FILE_MB", 10)
UPLOAD_MAX_FILES = env_int("UPLOAD_MAX_FILES", 10)
UPLOAD_MAX_TOTAL_MB = env_int("UPLOAD_MAX_TOTAL_MB", 50)
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
# A second look: reports need a supervisor's approval before they can be sent.
REPORT_REQUIRES_APPROVAL = env_bool("REPORT_REQUIRES_APPROVAL", False)
