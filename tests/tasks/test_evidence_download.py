"""Evidence downloads: permission-checked, the original Chinese name (RFC 5987), and never a file whose
checksum no longer matches — that is refused, logged and listed for the lead office."""

import logging
from urllib.parse import quote

import pytest

from tasks.models import IntegrityAlert
from tasks.views.work import content_disposition
from tests.tasks.conftest import DOCX, JPG, PDF, PNG, ZIP


def download(client, evidence):
    return client.get(f"/tasks/evidence/{evidence.pk}/")


def test_own_unit_downloads_with_the_original_chinese_name(cast, login, submit_with):
    evidence = submit_with(cast.street_assignment, cast.street_user,
                           files=[("光复道街道2024年培训签到表.pdf", PDF)]).evidence.get()
    response = login(cast.street_user).get(f"/tasks/evidence/{evidence.pk}/?download=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote('光复道街道2024年培训签到表.pdf')}" in disposition
    assert 'filename="2024.pdf"' in disposition  # the ASCII fallback for old clients


def test_lead_and_inspector_download_any_unit_file(cast, login, submit_with):
    evidence = submit_with(cast.street_assignment, cast.street_user).evidence.get()
    assert download(login(cast.lead), evidence).status_code == 200
    assert download(login(cast.inspector), evidence).status_code == 200


def test_other_unit_gets_404(cast, login, submit_with):
    evidence = submit_with(cast.street_assignment, cast.street_user).evidence.get()
    assert download(login(cast.finance_user), evidence).status_code == 404
    assert download(login(cast.outsider), evidence).status_code == 404


def test_ascii_fallback_for_a_name_without_ascii_letters():
    assert content_disposition("签到表.pdf", 7) == (
        "attachment; filename=\"evidence-7.pdf\"; filename*=UTF-8''%E7%AD%BE%E5%88%B0%E8%A1%A8.pdf")
    assert 'filename="report_v2.docx"' in content_disposition("report_v2.docx", 1)


def test_tampered_file_is_not_served_and_the_lead_office_is_told(cast, login, submit_with, caplog):
    evidence = submit_with(cast.street_assignment, cast.street_user, files=[("签到表.pdf", PDF)]).evidence.get()
    with open(evidence.file.path, "wb") as fh:
        fh.write(PDF.replace(b"Catalog", b"Tampere"))
    with caplog.at_level(logging.ERROR, logger="tasks.views.work"):
        response = download(login(cast.street_user), evidence)
    assert response.status_code == 409
    page = response.content.decode()
    assert "文件校验未通过，暂不能下载" in page and "已记录并报告牵头单位" in page
    assert b"Tampere" not in response.content
    assert f"Evidence {evidence.pk} failed its checksum" in caplog.text

    alert = IntegrityAlert.objects.get()
    assert (alert.evidence, alert.expected, alert.detected_by) == (evidence, evidence.sha256, cast.street_user)
    assert alert.actual != evidence.sha256 and len(alert.actual) == 64

    download(login(cast.lead), evidence)
    alert.refresh_from_db()
    assert alert.attempts == 2 and IntegrityAlert.objects.count() == 1

    listing = login(cast.lead).get("/tasks/integrity/").content.decode()
    assert "签到表.pdf" in listing and "校验值不符" in listing and "光复道街道办事处" in listing


def test_missing_file_is_reported_too(cast, login, submit_with):
    evidence = submit_with(cast.street_assignment, cast.street_user).evidence.get()
    evidence.file.storage.delete(evidence.file.name)
    response = download(login(cast.lead), evidence)
    assert response.status_code == 409 and "在存储中找不到" in response.content.decode()
    assert IntegrityAlert.objects.get().is_missing
    assert "文件缺失" in login(cast.inspector).get("/tasks/integrity/").content.decode()


@pytest.mark.parametrize("name,content,shown_as", [("签到表.pdf", PDF, "application/pdf"),
                                                   ("现场照片.jpg", JPG, "image/jpeg"),
                                                   ("现场照片.png", PNG, "image/png")])
def test_pdfs_and_images_open_in_place_sandboxed(cast, login, submit_with, name, content, shown_as):
    evidence = submit_with(cast.street_assignment, cast.street_user, files=[(name, content)]).evidence.get()
    response = download(login(cast.lead), evidence)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == shown_as
    assert response["Content-Disposition"].startswith("inline; ")
    assert f"filename*=UTF-8''{quote(name)}" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = [d.strip() for d in response["Content-Security-Policy"].split(";")]
    assert policy[0] == "sandbox" and "default-src 'none'" in policy and "script-src" not in response[
        "Content-Security-Policy"]


@pytest.mark.parametrize("name,content", [("整改方案.docx", DOCX), ("照片.zip", ZIP)])
def test_other_types_are_downloaded(cast, login, submit_with, name, content):
    evidence = submit_with(cast.street_assignment, cast.street_user, files=[(name, content)]).evidence.get()
    response = download(login(cast.lead), evidence)
    assert response["Content-Disposition"].startswith("attachment; ")
    assert "sandbox" not in response.get("Content-Security-Policy", "")


def test_a_file_is_previewed_by_its_bytes_not_its_recorded_type(cast, login, submit_with):
    """A row that says image/png over bytes that are not an image is downloaded, never shown."""
    evidence = submit_with(cast.street_assignment, cast.street_user, files=[("整改方案.docx", DOCX)]).evidence.get()
    type(evidence).objects.filter(pk=evidence.pk).update(content_type="image/png")
    response = download(login(cast.lead), evidence)
    assert response["Content-Disposition"].startswith("attachment; ")
    assert response["Content-Type"] == "image/png"  # as recorded, with nosniff: the browser saves it
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_assignment_page_offers_preview_and_download(frozen, cast, login, submit_with):
    submission = submit_with(cast.street_assignment, cast.street_user,
                             files=[("签到表.pdf", PDF), ("整改方案.docx", DOCX)])
    pdf, docx = submission.evidence.order_by("id")
    page = login(cast.street_user).get(f"/tasks/assignments/{cast.street_assignment.pk}/").content.decode()
    assert f'href="/tasks/evidence/{pdf.pk}/" target="_blank"' in page
    assert f'href="/tasks/evidence/{pdf.pk}/?download=1"' in page
    assert f'href="/tasks/evidence/{docx.pk}/?download=1"' not in page
