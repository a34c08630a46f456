"""A supervisor opens the dashboard and downloads a figure; the queue's filters fit a laptop screen."""

import csv
import io

import pytest

from assessments.models import AuditEvent
from intake.models import Case
from tests.conftest import make_case, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    return errors


def test_a_supervisor_opens_the_dashboard_and_downloads_a_csv(page, sam):
    make_case(status=Case.Status.TRIAGED, urgency=Case.Urgency.URGENT)
    make_case(status=Case.Status.TRIAGED, urgency=Case.Urgency.ROUTINE)
    make_case()
    errors = csp_errors(page)
    sign_in(page, sam)
    page.get_by_role("link", name="Dashboard").click()
    assert page.get_by_role("heading", name="How the service is doing").is_visible()
    assert page.locator("svg[role=img]").count() == 9
    chart = page.get_by_role("img", name="New cases per week, by urgency")
    assert chart.is_visible()

    # The numbers behind the chart open on request.
    figure = page.locator("#figure-intake")
    table = figure.get_by_role("table")
    assert not table.is_visible()
    figure.get_by_text("The numbers behind this chart").click()
    assert table.is_visible()
    assert table.locator("tbody tr").last.locator("td").last.inner_text() == "3"

    page.get_by_label("Period", exact=True).select_option(label="Last 12 weeks")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**period=12w**")
    assert page.locator("[data-period]").inner_text().startswith("Last 12 weeks")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV of “New cases per week, by urgency”").click()
    rows = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Week starting", "Urgent", "High", "Routine", "All"]
    assert len(rows) == 1 + 12 and sum(int(r[4]) for r in rows[1:]) == 3
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == sam and event.detail["figure"] == "intake"
    assert errors == []


@pytest.mark.parametrize("width", [1024, 1280, 1440, 1920])
def test_the_queue_filters_fit_or_wrap_at_laptop_widths(browser, live_server, sam, width):
    make_case(status=Case.Status.TRIAGED)
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.set_default_timeout(5_000)
    try:
        sign_in(page, sam)  # a supervisor sees every filter, the assignee too, and the exports
        page.goto("/review/?tab=all")
        clear = page.get_by_role("link", name="Clear", exact=True)
        box = clear.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        for control in page.get_by_role("search").locator("input:visible, select").all():
            box = control.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
