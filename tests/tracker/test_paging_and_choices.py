"""Every paged page takes any ?page= and ?per_page= without a 500, and no select on any page says "---------"."""

import pytest
import time_machine
from django import forms
from django.urls import reverse

from plans.models import Plan, Unit
from tests.tracker.conftest import NOW
from tests.tracker.test_access_matrix import MATRIX, ROLES
from tracker.forms import EMPTY_LABEL
from tracker.models import User
from tracker.paging import MAX_PER_PAGE, PER_PAGE, rows_per_page

BAD = ["-1", "0", "abc", "2.5", "", "99999999999999999999", "-99999999999999999999"]
PAGE_PARAMS = ("page", "per_page", "ext_page", "units_page")
LEAD = ROLES.index("lead")


@pytest.mark.parametrize(("given", "expected"), [
    ("-1", PER_PAGE), ("0", PER_PAGE), ("abc", PER_PAGE), ("", PER_PAGE), ("2.5", PER_PAGE),
    ("10", 10), ("1", 1), (str(MAX_PER_PAGE + 1), MAX_PER_PAGE), ("99999999999999999999", MAX_PER_PAGE),
])
def test_rows_per_page_is_clamped(rf, given, expected):
    assert rows_per_page(rf.get("/", {"per_page": given}), PER_PAGE) == expected


def pages_the_lead_reads() -> list[str]:
    return [name for name, row in MATRIX.items() if row.get[LEAD] == 200]


@pytest.mark.parametrize("value", BAD)
def test_every_page_takes_junk_paging_values(world, login, value):
    """The lead office reads every page of the site (as the access matrix has it) with junk in every paging
    parameter: the page answers as it does without them, never 500."""
    client = login(world.lead)
    with time_machine.travel(NOW, tick=False):
        for name in pages_the_lead_reads():
            url = reverse(name, kwargs=MATRIX[name].kwargs(world))
            response = client.get(url, {param: value for param in PAGE_PARAMS})
            assert response.status_code == 200, (name, value, response.status_code)


def test_the_ledger_answers_negative_and_huge_page_sizes(world, login):
    client = login(world.lead)
    with time_machine.travel(NOW, tick=False):
        for per_page in ("-1", "0", "100000"):
            response = client.get(reverse("tasks:ledger"), {"per_page": per_page, "page": "-3"})
            assert response.status_code == 200
            assert response.context["table"].paginator.per_page in (PER_PAGE, MAX_PER_PAGE)


def test_no_select_on_any_page_says_dashes(world, login):
    with time_machine.travel(NOW, tick=False):
        for user in (world.lead, world.street_user):
            client = login(user)
            for name in pages_the_lead_reads():
                page = client.get(reverse(name, kwargs=MATRIX[name].kwargs(world)))
                if page.status_code == 200 and page.get("Content-Type", "").startswith("text/html"):
                    assert "---------" not in page.content.decode(), name


class Choices(forms.Form):
    unit = forms.ModelChoiceField(queryset=Unit.objects.none(), required=False)
    kind = forms.TypedChoiceField(choices=[("", "---------"), ("a", "甲")], required=False)
    labelled = forms.ModelChoiceField(queryset=Plan.objects.none(), empty_label="全部方案", required=False)


def test_a_forms_empty_choice_reads_please_choose(db):
    html = str(Choices())
    assert html.count(f">{EMPTY_LABEL}</option>") == 2 and "全部方案" in html and "---------" not in html
    model_form = forms.modelform_factory(User, fields=["unit", "role"])()
    assert "---------" not in str(model_form) and EMPTY_LABEL in str(model_form["unit"])
