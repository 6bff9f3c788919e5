"""The site's URLs plus one that fails, for the 500 page's test."""

from django.urls import path

from tracker.urls import handler403, handler404, handler500, urlpatterns

__all__ = ["handler403", "handler404", "handler500", "urlpatterns"]


def fail(request):
    raise RuntimeError("a bug")


urlpatterns = [*urlpatterns, path("fail/", fail)]
