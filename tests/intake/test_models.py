from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from intake.models import REFERENCE_ALPHABET, Case, add_business_days, new_reference
from intake.uploads import sniff
from tests.conftest import clock_state, make_case

NEW_YORK = ZoneInfo("America/New_York")


def test_reference_codes_use_an_unambiguous_alphabet():
    codes = {new_reference() for _ in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 12 and code[:3] == "CA-" and code[7] == "-"
        assert set(code[3:7] + code[8:]) <= set(REFERENCE_ALPHABET)
    assert not set(REFERENCE_ALPHABET) & set("01OIL")


def test_business_days_skip_weekends(settings):
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=NEW_YORK)
    assert add_business_days(friday, 1).date().isoformat() == "2026-11-30"  # Monday
    assert add_business_days(friday, 2).date().isoformat() == "2026-12-01"
    wednesday = datetime(2026, 11, 25, 9, 0, tzinfo=NEW_YORK)
    assert add_business_days(wednesday, 10).date().isoformat() == "2026-12-09"


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"%PDF-1.7\n", "application/pdf"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00", "image/heic"),
        (b"MZ\x90\x00\x03", None),
        (b"\x7fELF\x02\x01", None),
        (b"<html><script>", None),
        (b"\x00\x00\x00\x18ftypisom\x00\x00", None),  # an MP4 video
    ],
)
def test_file_types_are_decided_by_content(head, kind):
    assert sniff(head) == kind


@pytest.mark.django_db
def test_a_case_shows_its_reference_never_a_name():
    case = make_case()
    assert str(case) == case.reference
    assert "Maria" not in str(case) and "JL" not in str(case)
    assert clock_state(case) in ("on_time", "due_soon")
    assert case.status == Case.Status.NEW
