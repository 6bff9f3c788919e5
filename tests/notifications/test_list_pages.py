"""The lists that grow with use — inbox, letters, circulars, failed deliveries — show 50 rows a page, newest
first, fall back on junk page numbers and take the same number of queries at 60 rows as at 120."""

import datetime

import pytest
from django.urls import reverse

from notifications.models import Circular, Delivery, Letter, Message, Notification
from tests.paging import JUNK_PAGES, page_queries


def label(n: int) -> str:
    return f"第{n:04d}号"


def add_notifications(cast, start: int, end: int, user=None) -> None:
    """Messages numbered start..end-1 in the user's inbox, the higher the newer."""
    user = user or cast.finance_user
    messages = Message.objects.bulk_create(
        Message(kind=Message.Kind.URGE, plan=cast.plan, unit=cast.finance, subject=f"催办{label(n)}", body="请尽快办理。")
        for n in range(start, end))
    Notification.objects.bulk_create(Notification(message=m, user=user) for m in messages)


def add_letters(cast, start: int, end: int) -> None:
    Letter.objects.bulk_create(
        Letter(plan=cast.plan, unit=cast.finance, seq=n, prefix="测司法函", year=2024, serial=n,
               number=f"测司法函〔2024〕{n}号", title=f"关于督促整改的函{label(n)}",
               issued_on=datetime.date(2024, 7, 1), reply_due_on=datetime.date(2024, 7, 8), reply_workdays=5,
               issuer="测试区司法局", signer="测试区司法局")
        for n in range(start, end))


def add_circulars(cast, start: int, end: int) -> None:
    Circular.objects.bulk_create(
        Circular(plan=cast.plan, prefix="测司法通", year=2024, serial=n, number=f"测司法通〔2024〕{n}号",
                 title=f"工作进展情况通报{label(n)}", issued_on=datetime.date(2024, 7, 1), issuer="测试区司法局",
                 signer="测试区司法局")
        for n in range(start, end))


def add_failed_deliveries(cast, start: int, end: int) -> None:
    messages = Message.objects.bulk_create(
        Message(kind=Message.Kind.URGE, plan=cast.plan, unit=cast.finance, subject=f"催办{label(n)}", body="请尽快办理。")
        for n in range(start, end))
    Delivery.objects.bulk_create(
        Delivery(message=m, unit=cast.finance, channel=Delivery.Channel.EMAIL, target="czj@example.org",
                 state=Delivery.State.FAILED, attempts=3, last_error="连接超时")
        for m in messages)


PAGES = {  # url name: (who looks, how rows are added)
    "notifications:inbox": ("finance_user", add_notifications),
    "notifications:letters": ("lead", add_letters),
    "notifications:circulars": ("street_user", add_circulars),
    "notifications:deliveries": ("inspector", add_failed_deliveries),
}


@pytest.fixture(params=list(PAGES))
def page(request, cast, login):
    who, add = PAGES[request.param]
    return login(getattr(cast, who)), reverse(request.param), lambda start, end: add(cast, start, end)


def test_page_two_shows_the_older_rows(page):
    client, url, add = page
    add(1, 61)
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert label(60) in first and label(11) in first and label(10) not in first and label(1) not in first
    assert label(10) in second and label(1) in second and label(11) not in second and label(60) not in second
    assert 'data-testid="pager"' in first and 'href="?page=2"' in first and "共 60 条" in first
    assert 'href="?page=1"' in second and 'aria-current="page">2<' in second


@pytest.mark.parametrize("junk", JUNK_PAGES)
def test_junk_page_values_fall_back(page, junk):
    client, url, add = page
    add(1, 61)
    response = client.get(url, {"page": junk})
    assert response.status_code == 200
    assert label(1) in response.content.decode() or label(60) in response.content.decode()


def test_query_count_does_not_grow_with_rows(page):
    client, url, add = page
    add(1, 61)
    few = page_queries(client, url)
    add(61, 121)
    assert page_queries(client, url) == few


def test_no_pager_on_a_single_page(cast, login):
    add_notifications(cast, 1, 51)
    assert 'data-testid="pager"' not in login(cast.finance_user).get(reverse("notifications:inbox")).content.decode()


def test_inbox_counts_unread_and_filters_with_the_filter_kept_in_page_links(cast, login):
    add_notifications(cast, 1, 121)
    Notification.objects.filter(message__subject__in=[f"催办{label(n)}" for n in range(1, 11)]).update(
        read_at=datetime.datetime(2024, 7, 1, tzinfo=datetime.UTC))
    client = login(cast.finance_user)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "共 120 条消息，其中未读 110 条" in page and "只看未读" in page
    unread = client.get(reverse("notifications:inbox"), {"unread": "1", "page": "3"}).content.decode()
    assert "共 110 条未读消息" in unread and "显示全部" in unread
    assert label(11) in unread and label(10) not in unread  # the read ones are left out
    assert 'href="?unread=1&amp;page=2"' in unread


def test_mark_all_read_from_a_later_page_reaches_every_page(cast, login):
    add_notifications(cast, 1, 121)
    add_notifications(cast, 121, 131, user=cast.street_user)
    client = login(cast.finance_user)
    page = client.get(reverse("notifications:inbox"), {"page": "3"}).content.decode()
    button = '<button type="submit">全部标记为已读</button>'
    assert f'action="{reverse("notifications:inbox")}"' in page and button in page
    assert client.post(reverse("notifications:inbox") + "?page=3").status_code == 302
    assert not Notification.objects.filter(user=cast.finance_user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=cast.street_user, read_at__isnull=True).count() == 10
    after = client.get(reverse("notifications:inbox")).content.decode()
    assert "其中未读 0 条" in after and button not in after
