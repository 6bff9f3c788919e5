"""Shared checks for paginated list pages: junk page values, and query counts that do not grow with rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

JUNK_PAGES = ["abc", "0", "-1", "999", "2.5", ""]


def page_queries(client, url: str) -> list[int]:
    """The number of queries for page 1 and page 2 of url (after a warm-up: a new connection sets up once)."""
    client.get(url)
    counts = []
    for page_url in (url, f"{url}{'&' if '?' in url else '?'}page=2"):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page_url).status_code == 200
        counts.append(len(ctx.captured_queries))
    return counts
