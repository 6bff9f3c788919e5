"""The whole loop in a real browser: a round is opened, a unit reports with evidence, the lead office returns
it, the unit reports again, the lead office accepts, the dashboard cell turns green, and the inspector's
ledger export holds the row."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.xlsx import table

pytestmark = pytest.mark.e2e


def evidence_files(page) -> list[dict]:
    """A real one-page PDF and a real JPEG, made by the browser itself."""
    page.set_content("<h1>培训签到表</h1><p>光复道街道办事处 · 全员轮训</p>")
    pdf = page.pdf(width="10cm", height="6cm")
    jpg = page.screenshot(type="jpeg", quality=60, clip={"x": 0, "y": 0, "width": 120, "height": 60})
    return [
        {"name": "培训签到表.pdf", "mimeType": "application/pdf", "buffer": pdf},
        {"name": "培训现场.jpg", "mimeType": "image/jpeg", "buffer": jpg},
    ]


def sign_in(open_page, base: str, username: str):
    page = open_page()
    page.goto(base + reverse("login"))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


def submit_progress(page, base: str, assignment_pk: int, text: str, percent: int) -> None:
    files = evidence_files(page)
    page.goto(base + reverse("tasks:assignment", args=[assignment_pk]))
    form = page.locator("[data-testid=submit-form]")
    form.locator("textarea[name=text]").fill(text)
    form.locator("input[name=percent]").fill(str(percent))
    form.locator("input[type=file][name=files]").set_input_files(files)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=status]").inner_text() == "已报送"


def review(page, base: str, decision: str, reason: str) -> None:
    page.goto(base + reverse("tasks:review_queue"))
    page.locator("[data-testid=review-queue] a", has_text="审核").first.click()
    form = page.locator("[data-testid=review-form]")
    form.locator(f"input[name=decision][value={decision}]").check()
    form.locator("textarea[name=reason]").fill(reason)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_round_submission_review_dashboard_and_ledger(cast, live_server, open_page):
    base = live_server.url
    street_assignment = cast.street_assignment
    cell = f"[data-testid=cell-{cast.task.pk}-{cast.street.pk}]"
    due = timezone.localdate() + datetime.timedelta(days=7)

    # The lead office opens a reporting round for every unit that owes work.
    lead = sign_in(open_page, base, cast.lead.username)
    lead.goto(base + reverse("tasks:rounds"))
    lead.click("[data-testid=round-new]")
    form = lead.locator("[data-testid=round-form]")
    form.locator("input[name=title]").fill("演示调度：全员轮训进展")
    form.locator("input[name=due_on]").fill(due.isoformat())
    form.locator("button[type=submit]").click()
    lead.wait_for_url("**/tasks/rounds/*/")
    assert lead.locator("h1").inner_text() == "演示调度：全员轮训进展"
    assert lead.locator("[data-testid=round-missing]").inner_text() == "2"

    # The street office sees the round on its dashboard and reports with a PDF and a JPG.
    street = sign_in(open_page, base, cast.street_user.username)
    street.goto(base + reverse("tasks:dashboard"))
    assert "演示调度：全员轮训进展" in street.locator("[data-testid=my-rounds]").inner_text()
    submit_progress(street, base, street_assignment.pk, "已完成第一批培训，签到表附后。", 60)
    assert street.locator("[data-testid=submission] .files li").count() == 2

    # The lead office returns it with a reason; the unit sees the reason and reports again.
    review(lead, base, "return", "请补充第二批培训的签到表。")
    street.goto(base + reverse("tasks:assignment", args=[street_assignment.pk]))
    assert "请补充第二批培训的签到表。" in street.locator("[data-testid=review]").first.inner_text()
    submit_progress(street, base, street_assignment.pk, "两批培训均已完成，签到表附后。", 100)

    # The lead office accepts: the street office's cell on the dashboard turns green.
    lead.goto(base + reverse("tasks:dashboard"))
    assert lead.locator(cell).get_attribute("data-light") != "green"
    review(lead, base, "accept", "")
    lead.goto(base + reverse("tasks:dashboard"))
    assert lead.locator(cell).get_attribute("data-light") == "green"
    lead.goto(base + reverse("tasks:rounds"))
    lead.get_by_role("link", name="演示调度：全员轮训进展").click()
    assert lead.locator(f"[data-testid=round-unit-{cast.street.pk}]").inner_text().count("按时报送") == 1

    # The inspector downloads the ledger as .xlsx, and the row is there, done.
    inspector = sign_in(open_page, base, cast.inspector.username)
    inspector.goto(base + reverse("tasks:ledger"))
    with inspector.expect_download() as download:
        inspector.click("[data-testid=ledger-xlsx]")
    with open(download.value.path(), "rb") as fh:
        sheet = openpyxl.load_workbook(io.BytesIO(fh.read())).active
    header, *body = table(sheet)
    rows = [dict(zip(header, r, strict=True)) for r in body if r[header.index("责任单位")] == "光复道街道办事处"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["细化措施"], row["状态"], row["审核结果"]) == ("2024年6月底前完成全员轮训。", "已完成", "已通过")
