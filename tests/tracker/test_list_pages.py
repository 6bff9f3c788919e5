"""The sign-in record (it grows with every login) and the account list show 50 rows a page through
django-tables2 and the shared pager, fall back on junk page numbers, keep their filters in the page links
and take the same number of queries at 60 rows as at 120."""

import datetime

import pytest
from django.urls import reverse

from tests.paging import JUNK_PAGES, page_queries
from tracker.models import LoginEvent, User

START = datetime.datetime(2024, 6, 1, 9, 0, tzinfo=datetime.UTC)


def add_events(cast, start: int, end: int) -> None:
    """Failed sign-ins numbered start..end-1, a minute apart, the higher the newer."""
    LoginEvent.objects.bulk_create(
        LoginEvent(at=START + datetime.timedelta(minutes=n), kind=LoginEvent.Kind.FAILURE, username=f"user{n:04d}",
                   ip_address="10.0.0.1", user_agent="Mozilla/5.0") for n in range(start, end))


def add_accounts(cast, start: int, end: int) -> None:
    User.objects.bulk_create(
        User(username=f"user{n:04d}", last_name=f"联络员{n}", role=User.Role.UNIT, unit=cast.finance, password="!")
        for n in range(start, end))


def test_login_events_page_two_shows_the_older_events_and_keeps_the_filter(cast, login):
    client = login(cast.lead)
    LoginEvent.objects.all().delete()  # the sign-in just now
    add_events(cast, 1, 61)
    url = reverse("accounts:events")
    first = client.get(url).content.decode()
    second = client.get(url, {"page": 2}).content.decode()
    assert "user0060" in first and "user0011" in first and "user0010" not in first and "user0001" not in first
    assert "user0010" in second and "user0001" in second and "user0011" not in second and "user0060" not in second
    filtered = client.get(url, {"kind": "failure"}).content.decode()
    assert 'href="?kind=failure&amp;page=2"' in filtered and "共 60 条" in filtered


def test_account_list_pages_at_50(cast, login):
    add_accounts(cast, 1, 61)  # and the cast's five
    client = login(cast.lead)
    first = client.get(reverse("accounts:list"), {"role": "unit"}).content.decode()
    second = client.get(reverse("accounts:list"), {"role": "unit", "page": 2}).content.decode()
    assert "user0001" in first and "user0060" not in first
    assert "user0060" in second and "user0001" not in second
    assert 'href="?role=unit&amp;page=2"' in first and 'aria-current="page">2<' in second


PAGES = {"accounts:events": add_events, "accounts:list": add_accounts}


@pytest.fixture(params=list(PAGES))
def page(request, cast, login):
    add = PAGES[request.param]
    return login(cast.inspector), reverse(request.param), lambda start, end: add(cast, start, end)


@pytest.mark.parametrize("junk", JUNK_PAGES)
def test_junk_page_values_fall_back(page, junk):
    client, url, add = page
    add(1, 61)
    assert client.get(url, {"page": junk}).status_code == 200


def test_query_count_does_not_grow_with_rows(page):
    client, url, add = page
    add(1, 61)
    few = page_queries(client, url)
    add(61, 121)
    assert page_queries(client, url) == few
