import pytest
from django.contrib.auth import authenticate
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.conftest import PASSWORD
from tracker.models import User

GOOD = "Qingdan-2024-strong"


def new_liaison_form(cast, **extra):
    data = {"username": "xinkaihe", "name": "王小明", "role": "unit", "unit": cast.finance.pk,
            "phone": "022-12345678", "email": "", "mode": "generate"}
    data.update(extra)
    return data


def shown_password(response) -> str:
    html = response.content.decode()
    marker = 'data-testid="shown-password">'
    return html.split(marker, 1)[1].split("<", 1)[0]


# --- who may see and do what ------------------------------------------------------------------------

def test_lead_and_inspector_see_the_account_list(cast, login):
    for user in (cast.lead, cast.inspector):
        response = login(user).get(reverse("accounts:list"))
        assert response.status_code == 200
        page = response.content.decode()
        assert "finance" in page and "区财政局" in page


def test_inspector_cannot_change_accounts(cast, login):
    client = login(cast.inspector)
    assert client.get(reverse("accounts:create")).status_code == 403
    assert client.post(reverse("accounts:create"), new_liaison_form(cast)).status_code == 403
    assert client.post(reverse("accounts:edit", args=[cast.finance_user.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("accounts:set_active", args=[cast.finance_user.pk]), {"active": "0"}).status_code == 403
    assert client.post(reverse("accounts:reset_password", args=[cast.finance_user.pk]),
                       {"mode": "generate"}).status_code == 403
    cast.finance_user.refresh_from_db()
    assert cast.finance_user.is_active and cast.finance_user.check_password(PASSWORD)
    assert not User.objects.filter(username="xinkaihe").exists()


@pytest.mark.parametrize("who", ["finance_user", "street_user"])
def test_liaison_gets_403_on_the_lists_and_its_own_units_accounts(cast, login, who):
    liaison = getattr(cast, who)
    client = login(liaison)
    for url in (reverse("accounts:list"), reverse("accounts:events"), reverse("accounts:create"),
                reverse("accounts:edit", args=[liaison.pk])):
        assert client.get(url).status_code == 403
    assert client.post(reverse("accounts:reset_password", args=[liaison.pk]), {"mode": "generate"}).status_code == 403


def test_another_units_account_is_404_to_a_liaison(cast, login):
    client = login(cast.street_user)
    assert client.get(reverse("accounts:edit", args=[cast.finance_user.pk])).status_code == 404
    assert client.post(reverse("accounts:reset_password", args=[cast.finance_user.pk]),
                       {"mode": "generate"}).status_code == 404
    cast.finance_user.refresh_from_db()
    assert cast.finance_user.check_password(PASSWORD)


def test_anonymous_is_sent_to_login(db):
    response = Client().get(reverse("accounts:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_superusers_are_out_of_reach(cast, login):
    root = User.objects.create_superuser("root", password=PASSWORD, role=User.Role.LEAD)
    client = login(cast.lead)
    assert "root" not in client.get(reverse("accounts:list")).content.decode()
    assert client.get(reverse("accounts:edit", args=[root.pk])).status_code == 404
    assert client.post(reverse("accounts:reset_password", args=[root.pk]), {"mode": "generate"}).status_code == 404


# --- creating -----------------------------------------------------------------------------------------

def test_lead_creates_liaison_with_generated_password_shown_once(cast, login):
    client = login(cast.lead)
    response = client.post(reverse("accounts:create"), new_liaison_form(cast))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    password = shown_password(response)
    assert len(password) >= 10
    account = User.objects.get(username="xinkaihe")
    assert (account.role, account.unit, account.get_full_name(), account.phone) == (
        "unit", cast.finance, "王小明", "022-12345678")
    assert authenticate(username="xinkaihe", password=password) == account
    # Not shown again anywhere.
    assert password not in client.get(reverse("accounts:edit", args=[account.pk])).content.decode()


def test_lead_creates_liaison_with_chosen_password(cast, login):
    client = login(cast.lead)
    response = client.post(reverse("accounts:create"),
                           new_liaison_form(cast, mode="set", password1=GOOD, password2=GOOD))
    assert shown_password(response) == GOOD
    assert User.objects.get(username="xinkaihe").check_password(GOOD)


@pytest.mark.parametrize("password, message", [
    ("short1A", "密码长度太短"),
    ("1234567890123", "密码只包含数字"),
    ("password1234", "密码太常见"),
])
def test_weak_initial_password_is_refused(cast, login, password, message):
    response = login(cast.lead).post(reverse("accounts:create"),
                                     new_liaison_form(cast, mode="set", password1=password, password2=password))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.filter(username="xinkaihe").exists()


def test_liaison_needs_a_unit_and_username_must_be_new(cast, login):
    client = login(cast.lead)
    response = client.post(reverse("accounts:create"), new_liaison_form(cast, unit=""))
    assert "责任单位联络员必须选择所属单位" in response.content.decode()
    response = client.post(reverse("accounts:create"), new_liaison_form(cast, username="finance"))
    assert "已存在" in response.content.decode()
    assert User.objects.count() == 5


def test_mismatched_passwords_are_refused(cast, login):
    response = login(cast.lead).post(reverse("accounts:create"), new_liaison_form(
        cast, mode="set", password1=GOOD, password2=GOOD + "x"))
    assert "两次输入的密码不一致" in response.content.decode()
    assert not User.objects.filter(username="xinkaihe").exists()


# --- editing, disabling, resetting ----------------------------------------------------------------------

def test_lead_edits_name_and_unit(cast, login):
    response = login(cast.lead).post(reverse("accounts:edit", args=[cast.finance_user.pk]), {
        "name": "李四", "role": "unit", "unit": cast.street.pk, "phone": "13800000000", "email": "ls@example.org"})
    assert response.status_code == 302
    cast.finance_user.refresh_from_db()
    assert (cast.finance_user.get_full_name(), cast.finance_user.unit, cast.finance_user.username) == (
        "李四", cast.street, "finance")


def test_disabled_account_cannot_sign_in_and_loses_its_session(cast, login):
    liaison_client = login(cast.finance_user)
    assert liaison_client.get(reverse("home")).status_code == 200
    response = login(cast.lead).post(reverse("accounts:set_active", args=[cast.finance_user.pk]), {"active": "0"})
    assert response.status_code == 302
    assert liaison_client.get(reverse("home")).status_code == 302
    assert authenticate(username="finance", password=PASSWORD) is None
    login(cast.lead).post(reverse("accounts:set_active", args=[cast.finance_user.pk]), {"active": "1"})
    assert authenticate(username="finance", password=PASSWORD) == cast.finance_user


def test_lead_cannot_disable_itself(cast, login):
    client = login(cast.lead)
    response = client.post(reverse("accounts:set_active", args=[cast.lead.pk]), {"active": "0"}, follow=True)
    assert "不能停用自己" in response.content.decode()
    cast.lead.refresh_from_db()
    assert cast.lead.is_active


def test_reset_password_shows_new_one_once_and_ends_sessions(cast, login):
    liaison_client = login(cast.finance_user)
    response = login(cast.lead).post(reverse("accounts:reset_password", args=[cast.finance_user.pk]),
                                     {"mode": "generate"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    password = shown_password(response)
    assert authenticate(username="finance", password=password) == cast.finance_user
    assert authenticate(username="finance", password=PASSWORD) is None
    assert liaison_client.get(reverse("home")).status_code == 302


def test_reset_password_to_a_chosen_one_is_validated(cast, login):
    client = login(cast.lead)
    url = reverse("accounts:reset_password", args=[cast.finance_user.pk])
    response = client.post(url, {"mode": "set", "password1": "abc", "password2": "abc"})
    assert response.status_code == 400 and "密码长度太短" in response.content.decode()
    assert cast.finance_user.__class__.objects.get(pk=cast.finance_user.pk).check_password(PASSWORD)
    client.post(url, {"mode": "set", "password1": GOOD, "password2": GOOD})
    assert authenticate(username="finance", password=GOOD) == cast.finance_user


def test_account_list_filters(cast, login):
    client = login(cast.lead)
    page = client.get(reverse("accounts:list"), {"unit": cast.street.pk}).content.decode()
    assert ">street<" in page and ">finance<" not in page
    page = client.get(reverse("accounts:list"), {"role": "inspector"}).content.decode()
    assert ">inspector<" in page and ">street<" not in page
    page = client.get(reverse("accounts:list"), {"q": "fin"}).content.decode()
    assert ">finance<" in page and ">street<" not in page


def test_account_list_query_count_does_not_grow_with_rows(cast, login):
    client = login(cast.lead)
    client.get(reverse("home"))  # first-request work (session renewal) is not the list's
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("accounts:list")).status_code == 200
    for i in range(30):
        User.objects.create_user(f"extra{i}", role="unit", unit=cast.street)
    with CaptureQueriesContext(connection) as many:
        assert ">extra29<" in client.get(reverse("accounts:list")).content.decode()
    assert len(many) == len(few)


def test_lead_sees_and_lifts_a_lockout(cast, login):
    for _ in range(5):
        Client().post(reverse("login"), {"username": "finance", "password": "wrong-password"}, REMOTE_ADDR="10.7.7.7")
    lead = login(cast.lead)
    page = lead.get(reverse("accounts:edit", args=[cast.finance_user.pk])).content.decode()
    assert "正被锁定登录" in page and "10.7.7.7" in page
    assert login(cast.inspector).post(reverse("accounts:unlock", args=[cast.finance_user.pk])).status_code == 403
    assert lead.post(reverse("accounts:unlock", args=[cast.finance_user.pk])).status_code == 302
    response = Client().post(reverse("login"), {"username": "finance", "password": PASSWORD}, REMOTE_ADDR="10.7.7.7")
    assert response.status_code == 302


def test_createsuperuser_makes_a_lead_office_account(db, monkeypatch):
    from django.core.management import call_command

    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", GOOD)
    call_command("createsuperuser", "--no-input", username="admin", email="admin@example.org")
    admin = User.objects.get(username="admin")
    assert (admin.is_superuser, admin.role, admin.unit) == (True, "lead", None)


def test_lead_cannot_change_its_own_role(cast, login):
    client = login(cast.lead)
    assert 'name="role"' not in client.get(reverse("accounts:edit", args=[cast.lead.pk])).content.decode()
    response = client.post(reverse("accounts:edit", args=[cast.lead.pk]),
                           {"name": "牵头办", "role": "unit", "unit": cast.finance.pk, "phone": "", "email": ""})
    assert response.status_code == 302
    cast.lead.refresh_from_db()
    assert (cast.lead.role, cast.lead.unit, cast.lead.get_full_name()) == ("lead", None, "牵头办")
