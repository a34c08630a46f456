"""Personas and small helpers shared by every test.

The people in these stories:
- the family: anonymous, no account;
- alice: a reviewer; bob: a second reviewer;
- carol: a coordinator, who triages and assigns;
- sam: a supervisor, who may do everything, exports included;
- dave: staff without a review role, who may sign in but not see cases.
"""

import importlib
import io
import json
import os
import time
import uuid
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, User

from tests.servers.clamd import clamd
from tests.servers.seaweedfs import seaweedfs

# Playwright's sync API runs an event loop in the test thread; the ORM calls we make beside it are
# still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery staple"


def ensure_roles() -> None:
    """The roles come from data migrations; tests that truncate tables take them away again."""
    if not Group.objects.filter(name="Supervisor").exists():
        from django.apps import apps

        importlib.import_module("assessments.migrations.0003_roles").create_roles(apps, None)
        importlib.import_module("accounts.migrations.0002_supervisor_permissions").grant(apps, None)
        importlib.import_module("assessments.migrations.0008_dashboard_role").grant_dashboard(apps, None)


def make_user(username: str, role: str | None = None, *, staff: bool = True) -> User:
    user = User.objects.create_user(
        username=username, email=f"{username}@staff.example.org", password=PASSWORD, is_staff=staff
    )
    if role:
        ensure_roles()
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def alice(db):
    return make_user("alice", "Reviewer")


@pytest.fixture
def bob(db):
    return make_user("bob", "Reviewer")


@pytest.fixture
def carol(db):
    return make_user("carol", "Coordinator")


@pytest.fixture
def sam(db):
    return make_user("sam", "Supervisor")


@pytest.fixture
def dave(db):
    return make_user("dave")


def authenticator_for(user):
    """The person's confirmed authenticator app, set up on the spot if they have none yet."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)


def next_code(device) -> str:
    """A code the device will accept now: the current one, or the next if the current was used."""
    from accounts.factors import current_code

    device.refresh_from_db()
    now = time.time()
    t = int((now - device.t0) // device.step)
    if device.last_t >= t + 1:
        time.sleep(device.step * (device.last_t - t) - (now - device.t0) % device.step + 0.1)
        return next_code(device)
    at = now if device.last_t < t else now + device.step  # one step of drift is accepted
    return current_code(device, at=at)


def client_for(user, *, verified: bool = True):
    """A test client signed in as the user, with the second factor given unless verified=False."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from accounts import sessions

    client = Client()
    client.force_login(user)
    if verified:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator_for(user).persistent_id
        session[sessions.CONFIRMED_AT] = time.time()
        session.save()
    return client


def sign_in(page, user, *, password: str = PASSWORD) -> None:
    """Sign in through the two steps in a browser, the code computed from the person's authenticator."""
    device = authenticator_for(user)
    if "/accounts/login/" not in page.url:
        page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/accounts/two-factor/**")
    page.get_by_label("Code").fill(next_code(device))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


@pytest.fixture(scope="session", autouse=True)
def compiled_translations():
    """`make test` compiles the catalogues first; a bare pytest run after a .po changed does it here."""
    from django.conf import settings
    from django.core.management import call_command

    for po in Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            call_command(
                "compilemessages",
                locale=[po.parent.parent.name],
                ignore_patterns=[".*", "node_modules", "staticfiles"],
                verbosity=0,
            )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is slow on purpose; tests that are not about passwords use a fast hasher instead.
    tests/accounts/test_passwords.py checks the real setting."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Documents: where they are stored, and the virus scanner ---------------------------------------------

BUCKET = "case-intake-tests"


def local_document_storage(root: Path) -> dict:
    return {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": root, "file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
    }


@pytest.fixture(autouse=True)
def private_uploads(settings, tmp_path):
    """Every test stores documents in its own empty folder, with no virus scanner unless it asks."""
    settings.PRIVATE_UPLOAD_ROOT = tmp_path / "uploads"
    settings.PRIVATE_UPLOAD_ROOT.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "documents": local_document_storage(settings.PRIVATE_UPLOAD_ROOT),
    }
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    return settings.PRIVATE_UPLOAD_ROOT


@pytest.fixture(scope="session")
def object_store(tmp_path_factory):
    """A real SeaweedFS S3 server for the whole session, with one bucket."""
    with seaweedfs(tmp_path_factory.mktemp("seaweedfs")) as store:
        store.client().create_bucket(Bucket=BUCKET)
        yield store


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory):
    """A real clamd for the whole session, knowing one signature: the EICAR test file."""
    with clamd(tmp_path_factory.mktemp("clamd")) as socket_path:
        yield socket_path


@pytest.fixture
def scanner(settings, clamd_socket):
    settings.CLAMD_SOCKET = str(clamd_socket)
    return clamd_socket


class LocalObjects:
    name = "local"

    def __init__(self, root: Path):
        self.root = root

    def stored_keys(self) -> list[str]:
        return sorted(p.name for p in self.root.iterdir())

    def raw(self, key: str) -> bytes:
        return (self.root / key).read_bytes()

    def put_raw(self, key: str, data: bytes) -> None:
        (self.root / key).write_bytes(data)


class BucketObjects:
    name = "s3"

    def __init__(self, store, prefix: str):
        self.client, self.prefix = store.client(), prefix

    def stored_keys(self) -> list[str]:
        listing = self.client.list_objects_v2(Bucket=BUCKET, Prefix=self.prefix + "/")
        return sorted(item["Key"].removeprefix(self.prefix + "/") for item in listing.get("Contents", []))

    def raw(self, key: str) -> bytes:
        return self.client.get_object(Bucket=BUCKET, Key=f"{self.prefix}/{key}")["Body"].read()

    def put_raw(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=BUCKET, Key=f"{self.prefix}/{key}", Body=data)


def s3_document_storage(store, prefix: str) -> dict:
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": store.endpoint_url,
            "access_key": store.access_key,
            "secret_key": store.secret_key,
            "region_name": store.region,
            "location": prefix,
            "file_overwrite": True,
        },
    }


@pytest.fixture(params=["local", "s3"])
def stored_objects(request, settings, private_uploads):
    """The document store, once as the local folder and once as a real S3 bucket (SeaweedFS), with a
    way to look at the raw objects as a thief with the disk or the bucket would."""
    if request.param == "local":
        return LocalObjects(private_uploads)
    store = request.getfixturevalue("object_store")
    prefix = f"test-{uuid.uuid4().hex[:12]}"
    settings.STORAGES = {**settings.STORAGES, "documents": s3_document_storage(store, prefix)}
    return BucketObjects(store, prefix)


def make_pdf(
    *,
    pages: int = 1,
    padding: int = 0,
    comment: bytes = b"",
    javascript: str = "",
    attachment: bytes = b"",
    password: str = "",
    owner_password: str = "",
) -> bytes:
    """A real PDF, made with pypdf: blank pages, optionally padded to a size or carrying a comment in
    its page, with a script, a file attached, or a password (or only an owner's password)."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, NameObject

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding or comment:
        # A content stream holding one long comment line: any size or bytes, and still a valid page.
        stream = DecodedStreamObject()
        stream.set_data(b"% " + comment + os.urandom(padding // 2).hex().encode() + b"\n")
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)
    if javascript:
        from pypdf.actions import JavaScript

        writer.add_open_action(JavaScript(javascript))
    if attachment:
        writer.add_attachment("notes.txt", attachment)
    if password or owner_password:
        writer.encrypt(
            user_password=password, owner_password=owner_password or password + "-owner", algorithm="AES-256"
        )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def make_picture(fmt: str = "JPEG", *, size=(64, 48), gps: bool = True) -> bytes:
    """A small picture as a phone would send it: with the camera's make and model and a GPS position."""
    from PIL import ExifTags, Image

    if fmt == "HEIF":
        from pillow_heif import register_heif_opener

        register_heif_opener()
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Pocket Camera 12"
    if gps:
        gps_info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_info[ExifTags.GPS.GPSLatitudeRef] = "N"
        gps_info[ExifTags.GPS.GPSLatitude] = (40.0, 26.0, 46.0)
        gps_info[ExifTags.GPS.GPSLongitudeRef] = "W"
        gps_info[ExifTags.GPS.GPSLongitude] = (79.0, 58.0, 56.0)
    out = io.BytesIO()
    image.save(out, format=fmt, exif=exif.tobytes())
    return out.getvalue()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(5_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server):
    """A page the size of a small phone, with touch, as many families will use."""
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 375, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(5_000)
    yield page
    context.close()


# A family's answers, page by page, as the browser would post them.
ANSWERS = {
    "about-you": {
        "contact_name": "Maria Lopez",
        "contact_email": "maria.lopez@example.com",
        "contact_email_confirm": "maria.lopez@example.com",
        "contact_phone": "",
        "relationship": "parent",
        "contact_preference": "email",
        "preferred_language": "en",
    },
    "patient": {
        "patient_name": "JL",
        "patient_age": "14",
        "patient_birth_year": "",
        "sex_at_birth": "male",
        "country": "US",
        "region": "Ohio",
        "postal_code": "43210",
        "travel": "country",
    },
    "diagnosis": {
        "diagnosis": "t_all",
        "diagnosis_other": "",
        "diagnosed_on_month": "3",
        "diagnosed_on_year": "2025",
        "disease_status": "relapsed",
        "genetic_results": "NOTCH1 mutation",
        "treating_center": "Children's Hospital",
    },
    "treatments": {
        "treatments-TOTAL_FORMS": "1",
        "treatments-INITIAL_FORMS": "0",
        "treatments-MIN_NUM_FORMS": "0",
        "treatments-MAX_NUM_FORMS": "30",
        "treatments-0-kind": "chemotherapy",
        "treatments-0-name": "BFM protocol",
        "treatments-0-started_on_month": "4",
        "treatments-0-started_on_year": "2025",
        "treatments-0-ended_on_month": "9",
        "treatments-0-ended_on_year": "2025",
        "treatments-0-outcome": "partly",
    },
    "now": {
        "condition": "2",
        "goals": ["trials", "expanded_access"],
        "goals_other": "",
        "urgency_in_own_words": "The doctors say we need a plan within weeks.",
        "anything_else": "",
    },
    "documents": {},
}


def as_lists(page: dict) -> dict[str, list[str]]:
    return {k: v if isinstance(v, list) else [v] for k, v in page.items()}


def make_answers(**pages) -> dict:
    """Draft answers, with some pages' fields overridden: make_answers(patient={"patient_age": "40"})."""
    answers = {
        slug: as_lists({**page, **pages.get(slug.replace("-", "_"), {})}) for slug, page in ANSWERS.items()
    }
    return answers


def make_case(*, ip="203.0.113.5", status=None, assigned_to=None, urgency=None, **pages):
    """A case submitted through the same code path as the form."""
    from intake.models import Case, Draft
    from intake.submission import build_case, submit

    draft = Draft.objects.create(answers=make_answers(**pages))
    built = build_case(draft.answers)
    consent = {"privacy_notice": True, "reviewers_may_read": True, "research_contact": False}
    case = submit(draft=draft, built=built, consent_data=consent, ip=ip, user_agent="pytest")
    # Shortcuts for setting up a story; the actions themselves are tested on their own.
    if status or assigned_to or urgency:
        Case.objects.filter(pk=case.pk).update(
            status=status or case.status, assigned_to=assigned_to, urgency=urgency or case.urgency
        )
        case.refresh_from_db()
    return case


# The trial catalogue: the real ClinicalTrials.gov records in ../shared, and beside them the T-ALL
# records we wrote in the same format (trials/catalogue/written-by-us, marked as ours in each file).
SHARED_TRIALS = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "clinicaltrials"
WRITTEN_BY_US = Path(__file__).resolve().parent.parent / "trials" / "catalogue" / "written-by-us"


def import_catalogue(*paths) -> None:
    from trials.importer import Importer, records_in_paths

    with Importer() as importer:
        for label, record in records_in_paths(paths or (SHARED_TRIALS, WRITTEN_BY_US)):
            importer.feed(label, record)
    assert not importer.counts.rejected, importer.counts.rejected


@pytest.fixture
def catalogue(db):
    import_catalogue()


@pytest.fixture(scope="session")
def studies_api_server():
    from tests.servers.ctgov import StudiesApi

    server = StudiesApi().start()
    yield server
    server.stop()


@pytest.fixture
def studies_api(studies_api_server, settings):
    """The loopback ClinicalTrials.gov API, serving the real shared records; the importer points at it."""
    records = json.loads((SHARED_TRIALS / "studies-50.json").read_text())
    studies_api_server.reset(records)
    settings.TRIALS_API_URL = studies_api_server.url
    settings.TRIALS_API_BACKOFF_SECONDS = 0.01
    settings.TRIALS_API_RETRIES = 3
    return studies_api_server


def clock_state(case) -> str:
    """The case's state on the response clock now, as the queue and the case page compute it."""
    from django.utils import timezone

    from intake import clock
    from intake.models import Case

    return Case.objects.annotate(state=clock.response_state(timezone.now())).get(pk=case.pk).state
