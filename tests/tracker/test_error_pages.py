"""403, 404 and 500 answer with Chinese pages in the site's layout, with the reason and a way back — as they
render in production (DEBUG off: Django then uses handler403/handler404 and templates/500.html)."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("production")


@pytest.fixture
def production(settings):
    settings.DEBUG = False


def page(response) -> str:
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "{#" not in text and "{%" not in text  # no template source leaks onto the page
    return text


def test_403_says_why_in_the_layout(cast, login):
    response = login(cast.street_user).get(reverse("tasks:review_queue"))
    assert response.status_code == 403
    text = page(response)
    assert "无权访问" in text and "只有牵头单位和督察可以查看此页面。" in text  # the PermissionDenied message
    assert "返回首页" in text and f'href="{reverse("home")}"' in text
    assert 'class="topbar"' in text and "光复道街道办事处" in text  # the layout, with the signed-in user


def test_an_inspectors_change_is_refused_with_the_reason(cast, login):
    response = login(cast.inspector).post(reverse("tasks:deadline", args=[cast.street_assignment.pk]))
    assert response.status_code == 403 and "督察账号只能查看，不能修改。" in page(response)


def test_404_for_another_units_object(cast, login):
    response = login(cast.finance_user).get(reverse("tasks:assignment", args=[cast.street_assignment.pk]))
    assert response.status_code == 404
    text = page(response)
    assert "页面不存在" in text and "未找到该页面，或您无权查看。" in text and "返回首页" in text
    assert 'class="topbar"' in text


def test_404_shows_our_own_reason_and_hides_djangos(cast, login):
    client = login(cast.lead)
    assert "没有待确认的导入，请先上传方案文件。" in page(client.get(reverse("plans:import_preview")))
    text = page(client.get("/no-such-page/"))
    assert "未找到该页面，或您无权查看。" in text and "Resolver404" not in text and "tried" not in text


def test_back_goes_to_the_page_the_user_came_from_on_this_site(cast, login):
    client = login(cast.street_user)
    came_from = "http://testserver" + reverse("tasks:my_tasks")
    text = page(client.get(reverse("tasks:rounds"), HTTP_REFERER=came_from))
    assert f'href="{came_from}"' in text and "返回上一页" in text
    text = page(client.get(reverse("tasks:rounds"), HTTP_REFERER="https://evil.example/"))
    assert "evil.example" not in text and "data-history-back" in text  # then the browser's history, if any


@override_settings(ROOT_URLCONF="tests.tracker.error_urls")
def test_500_page(cast, login):
    response = Client(raise_request_exception=False).get("/fail/")
    assert response.status_code == 500
    text = page(response)
    assert "系统出现错误" in text and "返回首页" in text and 'class="topbar"' in text
    signed_in = login(cast.lead)
    signed_in.raise_request_exception = False
    assert "系统出现错误" in page(signed_in.get("/fail/"))


def test_500_page_needs_neither_the_request_nor_the_database():
    text = render_to_string("500.html")  # no context, no request; any query would fail here (no db fixture)
    assert "系统出现错误" in text and "{#" not in text and "返回首页" in text


def test_a_stale_form_gets_the_chinese_csrf_page(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.lead)
    response = client.post(reverse("tasks:round_new"), {})
    assert response.status_code == 403
    text = page(response)
    assert "页面已失效" in text and "返回首页" in text and "CSRF" not in text
