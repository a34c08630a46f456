"""A supervisor downloads what the issue promises, in a browser: PDF, CSV, Excel and a ZIP."""

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from assessments.models import AuditEvent
from intake.models import Case
from tests.conftest import make_case, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_downloads_every_export(page, sam, tmp_path):
    first = make_case(status=Case.Status.TRIAGED)
    second = make_case(status=Case.Status.TRIAGED)
    sign_in(page, sam)
    page.goto("/review/?tab=unassigned")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {first.reference, second.reference}

    with page.expect_download() as download:
        page.get_by_role("link", name="Download Excel").click()
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)["Cases"]
    assert len(list(sheet.iter_rows())) == 3

    page.get_by_label(f"Select {first.reference}").check()
    page.get_by_label(f"Select {second.reference}").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF summaries of the selected cases (ZIP)").click()
    names = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())).namelist()
    assert sorted(names) == sorted([f"{first.reference}.pdf", f"{second.reference}.pdf", "index.csv"])

    page.goto(f"/review/cases/{first.reference}/")
    with page.expect_download() as download:
        page.get_by_role("link", name="internal").click()
    assert download.value.suggested_filename == f"{first.reference}-summary-internal.pdf"
    assert AuditEvent.objects.filter(action="exported").count() == 4
