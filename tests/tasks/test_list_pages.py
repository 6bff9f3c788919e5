"""The lists that grow with use — the review queue, integrity alerts, reporting rounds — show 50 rows a
page, fall back on junk page numbers and take the same number of queries at 60 rows as at 120."""

import datetime

import pytest
from django.urls import reverse

from tasks.models import Evidence, ExtensionRequest, IntegrityAlert, ReportingRound, Submission
from tests.paging import JUNK_PAGES, page_queries


def add_submissions(cast, count: int) -> list[str]:
    """Pending submissions (each with a file); returns their review links, oldest first."""
    rows = Submission.objects.bulk_create(
        Submission(assignment=cast.street_assignment if n % 2 else cast.finance_assignment,
                   author=cast.street_user if n % 2 else cast.finance_user, text="进展", percent=40)
        for n in range(count))
    Evidence.objects.bulk_create(
        Evidence(submission=s, file=f"evidence/{s.pk}.pdf", original_name="材料.pdf", size=9, sha256="0" * 64,
                 content_type="application/pdf") for s in rows)
    return [f'href="/tasks/review/{s.pk}/?' for s in rows]  # the queue's filter rides along (?plan=…)


def add_extension_requests(cast, count: int) -> list[str]:
    """Pending extension requests; returns their decision links, oldest first."""
    rows = ExtensionRequest.objects.bulk_create(
        ExtensionRequest(assignment=cast.street_assignment, requested_by=cast.street_user,
                         requested_due_on=datetime.date(2024, 8, 31), reason="汛期抽调人员，申请延期。")
        for _ in range(count))
    return [f'href="/tasks/extensions/{e.pk}/"' for e in rows]


def add_alerts(cast, count: int) -> list[str]:
    """Integrity alerts; returns the file names they show, oldest first."""
    submission = Submission.objects.create(assignment=cast.street_assignment, author=cast.street_user,
                                           text="进展", percent=40)
    start = Evidence.objects.count()
    names = [f"现场照片第{n:04d}号.jpg" for n in range(start, start + count)]
    files = Evidence.objects.bulk_create(
        Evidence(submission=submission, file=f"evidence/{name}", original_name=name, size=9, sha256="0" * 64,
                 content_type="image/jpeg") for name in names)
    IntegrityAlert.objects.bulk_create(
        IntegrityAlert(evidence=e, expected="0" * 64, actual="missing", detected_by=cast.lead) for e in files)
    return names


def add_rounds(cast, count: int) -> list[str]:
    """Reporting rounds of the cast's plan; returns their titles, oldest first."""
    start = ReportingRound.objects.count()
    titles = [f"第{n:04d}期调度" for n in range(start, start + count)]
    ReportingRound.objects.bulk_create(
        ReportingRound(plan=cast.plan, title=t, due_on=datetime.date(2024, 6, 25), created_by=cast.lead)
        for t in titles)
    return titles


def test_review_queue_page_two_goes_on_in_queue_order(cast, login):
    links = add_submissions(cast, 60)  # the queue is oldest first: page 2 has the 10 latest
    client = login(cast.lead)
    first = client.get(reverse("tasks:review_queue")).content.decode()
    second = client.get(reverse("tasks:review_queue"), {"page": 2}).content.decode()
    assert all(link in first for link in links[:50]) and not any(link in first for link in links[50:])
    assert all(link in second for link in links[50:]) and not any(link in second for link in links[:50])
    assert 'href="?page=2"' in first and "共 60 份" in first


def test_extension_requests_page_on_their_own_keeping_the_queue_page(cast, login):
    links = add_extension_requests(cast, 60)
    add_submissions(cast, 60)
    client = login(cast.lead)
    first = client.get(reverse("tasks:review_queue"), {"page": 2}).content.decode()
    second = client.get(reverse("tasks:review_queue"), {"page": 2, "ext_page": 2}).content.decode()
    assert all(link in first for link in links[:50]) and not any(link in first for link in links[50:])
    assert all(link in second for link in links[50:]) and not any(link in second for link in links[:50])
    assert 'href="?page=2&amp;ext_page=2"' in first and 'href="?page=1&amp;ext_page=2"' in second


def test_integrity_page_two_shows_the_older_alerts(cast, login):
    names = add_alerts(cast, 60)
    client = login(cast.inspector)
    first = client.get(reverse("tasks:integrity")).content.decode()
    second = client.get(reverse("tasks:integrity"), {"page": 2}).content.decode()
    assert names[-1] in first and names[10] in first and names[9] not in first and names[0] not in first
    assert names[9] in second and names[0] in second and names[10] not in second and names[-1] not in second


def test_rounds_page_two_shows_the_older_rounds_and_keeps_the_plan(cast, login):
    titles = add_rounds(cast, 60)
    client = login(cast.lead)
    url = reverse("tasks:rounds")
    first = client.get(url, {"plan": cast.plan.pk}).content.decode()
    second = client.get(url, {"plan": cast.plan.pk, "page": 2}).content.decode()
    assert titles[-1] in first and titles[10] in first and titles[9] not in first and titles[0] not in first
    assert titles[9] in second and titles[0] in second and titles[10] not in second and titles[-1] not in second
    assert f'href="?plan={cast.plan.pk}&amp;page=2"' in first


PAGES = {  # url name: (who looks, how rows are added)
    "tasks:review_queue": ("lead", add_submissions),
    "tasks:integrity": ("inspector", add_alerts),
    "tasks:rounds": ("lead", add_rounds),
}


@pytest.fixture(params=list(PAGES))
def page(request, cast, login):
    who, add = PAGES[request.param]
    return login(getattr(cast, who)), reverse(request.param), lambda count: add(cast, count)


@pytest.mark.parametrize("junk", JUNK_PAGES)
def test_junk_page_values_fall_back(page, junk):
    client, url, add = page
    add(60)
    assert client.get(url, {"page": junk}).status_code == 200


@pytest.mark.parametrize("junk", JUNK_PAGES)
def test_junk_extension_page_values_fall_back(cast, login, junk):
    add_extension_requests(cast, 60)
    assert login(cast.lead).get(reverse("tasks:review_queue"), {"ext_page": junk}).status_code == 200


def test_review_queue_query_count_does_not_grow_with_extension_requests(cast, login):
    client = login(cast.lead)
    add_extension_requests(cast, 60)
    few = page_queries(client, reverse("tasks:review_queue") + "?ext_page=2")
    add_extension_requests(cast, 60)
    assert page_queries(client, reverse("tasks:review_queue") + "?ext_page=2") == few


def test_query_count_does_not_grow_with_rows(page):
    client, url, add = page
    add(60)
    few = page_queries(client, url)
    add(60)
    assert page_queries(client, url) == few
