"""The liaison's flow on a phone (390×844, touch, as inside WeCom or DingTalk): the menu folded behind ☰ 菜单,
我的任务 as cards, an item reported with a photo, a 函告 answered; and 批量报送 of ticked items."""

import datetime

import pytest
from django.urls import reverse

from notifications import letters
from notifications.models import Letter
from notifications.sweep import run_sweep
from plans.models import Measure
from tasks.models import Assignment, Submission
from tests.conftest import PASSWORD

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server):
    """phone(username) -> a signed-in page in a phone-sized touch context of its own."""
    contexts = []

    def _open(username):
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(live_server.url + reverse("login"))
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form button[type=submit]").tap()
        return page

    yield _open
    for context in contexts:
        context.close()


def photo(page) -> dict:
    """A real JPEG, as a phone's camera would hand over."""
    page.set_viewport_size({"width": 160, "height": 120})
    jpg = page.screenshot(type="jpeg", quality=70)
    page.set_viewport_size(PHONE)
    return {"name": "现场照片.jpg", "mimeType": "image/jpeg", "buffer": jpg}


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def open_menu_item(page, name: str) -> None:
    nav = page.locator(".site-menu .nav")
    assert not nav.is_visible()  # folded: the page starts below a one-line bar
    page.locator("[data-testid=menu-toggle]").tap()
    link = nav.get_by_role("link", name=name, exact=True)
    box = link.bounding_box()
    assert box["height"] >= 44 and box["width"] > PHONE["width"] / 2  # a thumb's target
    with page.expect_navigation():
        link.tap()


def test_liaison_reports_with_a_photo_and_answers_a_letter_on_a_phone(cast, live_server, phone, monkeypatch):
    monkeypatch.setattr(letters, "render_pdf", lambda template, context: b"%PDF-1.7 " + context["number"].encode())
    run_sweep(datetime.date(2024, 7, 1))  # the street office's item, due 2024-06-30, is urged
    run_sweep(datetime.date(2024, 7, 20))  # and 15 working days later it gets a 函告
    letter = Letter.objects.get(unit=cast.street)
    page = phone(cast.street_user.username)

    assert page.locator(".topbar").bounding_box()["height"] < 70
    open_menu_item(page, "我的任务")
    assert page.locator("h1").inner_text() == "我的任务" and fits_the_screen(page)
    card = page.locator("table.work-list tbody tr").first
    assert card.bounding_box()["width"] <= PHONE["width"]
    card.locator("td.measure-cell a").tap()
    page.wait_for_url(f"**/tasks/assignments/{cast.street_assignment.pk}/")
    assert fits_the_screen(page)

    upload = photo(page)
    form = page.locator("[data-testid=submit-form]")
    form.locator("textarea[name=text]").fill("已完成全员轮训，附现场照片。")
    form.locator("input[name=percent]").fill("100")
    form.locator("input[type=file][name=files]").set_input_files([upload])
    submit = form.locator("button[type=submit]")
    assert submit.bounding_box()["height"] >= 44
    with page.expect_navigation():
        submit.tap()
    assert page.locator("[data-testid=status]").inner_text() == "已报送"
    evidence = Submission.objects.get(assignment=cast.street_assignment).evidence.get()
    assert evidence.original_name == "现场照片.jpg" and evidence.content_type == "image/jpeg"

    open_menu_item(page, "函告")
    page.get_by_role("link", name=letter.number).first.tap()
    page.wait_for_url(f"**{reverse('notifications:letter', args=[letter.pk])}")
    assert fits_the_screen(page)
    page.locator("textarea[name=text]").fill("已组织整改，轮训全部完成。")
    page.locator("input[type=file][name=files]").set_input_files([photo(page)])
    with page.expect_navigation():
        page.get_by_role("button", name="提交整改回复").tap()
    assert letter.replies.get().text == "已组织整改，轮训全部完成。"
    assert "已组织整改，轮训全部完成。" in page.content()


def test_batch_report_of_ticked_items_on_a_phone(cast, live_server, phone):
    extra = Measure.objects.create(task=cast.task, order=2, text="建立培训台账。", due_on=datetime.date(2024, 8, 31))
    second = Assignment.objects.create(measure=extra, unit=cast.street, due_on=extra.due_on)
    page = phone(cast.street_user.username)
    page.goto(live_server.url + reverse("tasks:my_tasks"))
    for a in (cast.street_assignment, second):
        box = page.locator(f"input[name=ids][value='{a.pk}']")
        box.tap()
        assert box.is_checked()
    page.get_by_role("button", name="批量报送所选事项").tap()
    page.wait_for_url("**/tasks/mine/batch/**")
    assert page.locator("[data-testid=batch-item]").count() == 2 and fits_the_screen(page)
    form = page.locator("[data-testid=batch-form]")
    form.locator(f"input[name=item{second.pk}-percent]").fill("30")
    form.locator("textarea[name=text]").fill("两项工作同步推进。")
    form.locator("input[type=file][name=files]").set_input_files([photo(page)])
    form.get_by_role("button", name="提交报送（2项）").tap()
    page.wait_for_url("**/tasks/mine/")
    assert "已批量报送2项进展" in page.content()
    reports = {s.assignment_id: s for s in Submission.objects.prefetch_related("evidence")}
    assert set(reports) == {cast.street_assignment.pk, second.pk}
    assert reports[second.pk].percent == 30 and all(s.evidence.count() == 1 for s in reports.values())
    assert all(s.text == "两项工作同步推进。" for s in reports.values())
