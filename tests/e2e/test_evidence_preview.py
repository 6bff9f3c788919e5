"""Evidence in the browser: a PDF or a photo opens in place (Chromium's viewer, under the sandboxing CSP), any
other file is downloaded; ?download=1 downloads a PDF too."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tasks import uploads
from tests.conftest import PASSWORD
from tests.tasks.conftest import DOCX, upload

pytestmark = pytest.mark.e2e


def test_a_pdf_opens_in_place_and_a_document_downloads(cast, live_server, open_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    page = open_page()
    page.set_content("<h1>培训签到表</h1>")
    pdf = page.pdf(width="10cm", height="6cm")
    files = uploads.check_files([upload("培训签到表.pdf", pdf), upload("整改方案.docx", DOCX)])
    submission = uploads.save_submission(cast.street_assignment, author=cast.street_user, text="已报送", percent=50,
                                         files=files, today=timezone.localdate())
    shown, stored = submission.evidence.order_by("id")

    page.goto(live_server.url + reverse("login"))
    page.fill("input[name=username]", cast.lead.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")

    url = live_server.url + reverse("tasks:evidence", args=[shown.pk])
    response = page.goto(url)  # shown in place: no download starts
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    headers = page.request.get(url).headers
    assert headers["content-disposition"].startswith("inline; ")
    assert headers["content-security-policy"].startswith("sandbox; default-src 'none'")
    assert page.url == url

    page.goto(live_server.url + reverse("tasks:assignment", args=[cast.street_assignment.pk]))
    with page.expect_download() as download:
        page.get_by_role("link", name="整改方案.docx").click()
    assert download.value.suggested_filename == "整改方案.docx"
    with page.expect_download() as download:
        page.locator(f"a[href='{reverse('tasks:evidence', args=[shown.pk])}?download=1']").click()
    assert download.value.suggested_filename == "培训签到表.pdf"
