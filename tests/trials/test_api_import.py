"""`import_trials --api`, against a real HTTP server on loopback serving the real records page by page."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from trials.models import ApiImport, Study

pytestmark = pytest.mark.django_db


def import_from_api(*args) -> str:
    out = io.StringIO()
    call_command("import_trials", "--api", "--no-progress", *args, stdout=out)
    return out.getvalue()


def test_it_downloads_every_page_with_the_query(studies_api):
    output = import_from_api("--condition", "leukemia", "--page-size", "20")
    assert "API: 3 pages, 50 studies (all pages)." in output
    assert "Imported 50 records: 50 new, 0 updated, 0 unchanged, 0 rejected." in output
    assert Study.objects.count() == 50
    first, second, third = studies_api.requests
    assert first["query.cond"] == ["leukemia"]
    assert first["filter.overallStatus"] == [
        "RECRUITING,NOT_YET_RECRUITING,ENROLLING_BY_INVITATION,AVAILABLE"
    ]
    assert first["pageSize"] == ["20"] and "pageToken" not in first
    assert second["pageToken"] == ["page-2"] and third["pageToken"] == ["page-3"]
    # The same download again finds nothing new.
    assert "0 new, 0 updated, 50 unchanged" in import_from_api("--condition", "leukemia", "--page-size", "20")


def test_it_retries_a_failing_page_with_backoff(studies_api):
    studies_api.failures = {2: [503, 502]}
    output = import_from_api("--page-size", "20", "--status", "RECRUITING")
    assert "API: 3 pages, 50 studies (all pages)." in output
    tokens = [r.get("pageToken", [""])[0] for r in studies_api.requests]
    assert tokens == ["", "page-2", "page-2", "page-2", "page-3"]
    assert studies_api.requests[0]["filter.overallStatus"] == ["RECRUITING"]


def test_an_interrupted_download_resumes_where_it_stopped(studies_api):
    studies_api.failures = {3: [500, 500, 500, 500]}  # more failures than retries
    with pytest.raises(CommandError, match="Run the same command again to resume"):
        import_from_api("--condition", "cancer", "--page-size", "20")
    # The first two pages are stored, and where to go on is remembered.
    assert Study.objects.count() == 40
    state = ApiImport.objects.get()
    assert (state.pages_done, state.next_page_token, state.finished_at) == (2, "page-3", None)

    studies_api.requests.clear()
    output = import_from_api("--condition", "cancer", "--page-size", "20")
    assert [r.get("pageToken") for r in studies_api.requests] == [["page-3"]]
    assert "API: 3 pages, 50 studies (all pages)." in output
    assert "10 new" in output and Study.objects.count() == 50
    state.refresh_from_db()
    assert state.finished_at is not None

    # A finished download starts again from the first page; --restart forces that anytime.
    studies_api.requests.clear()
    import_from_api("--condition", "cancer", "--page-size", "20", "--max-pages", "1")
    assert [r.get("pageToken") for r in studies_api.requests] == [None]


def test_a_refused_request_is_not_retried(studies_api):
    studies_api.failures = {1: [400]}
    with pytest.raises(CommandError, match="HTTP 400"):
        import_from_api()
    assert len(studies_api.requests) == 1
