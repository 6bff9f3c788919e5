"""Idle session expiry without writing the session on every request.

Sessions end after SESSION_COOKIE_AGE seconds without a request (issue 7: two idle hours). Saving the
session on every request (SESSION_SAVE_EVERY_REQUEST) would cost a write transaction per page; instead
the session is renewed (saved with a fresh expiry, and its cookie sent again) only once
SESSION_RENEW_SECONDS have passed since its last renewal. The idle limit then holds to within that
margin: a session ends between SESSION_COOKIE_AGE - SESSION_RENEW_SECONDS and SESSION_COOKIE_AGE after
the last request.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

RENEWED_AT = "_renewed_at"


class IdleSessionMiddleware:
    """Place right after SessionMiddleware: it marks the session modified when it is due for renewal."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
                session[RENEWED_AT] = now
        return response


@receiver(user_logged_in, dispatch_uid="tracker.sessions.stamp_login")
def stamp_login(sender, request: HttpRequest, **kwargs) -> None:
    """A login saves a fresh session: it counts as its first renewal."""
    session = getattr(request, "session", None)
    if session is not None:
        session[RENEWED_AT] = int(time.time())
