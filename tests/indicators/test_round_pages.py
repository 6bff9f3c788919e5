"""The round pages' queries do not grow with the number of units."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from indicators.models import FigureRound
from plans.models import Unit
from tests.indicators.conftest import STREET_2024, approve, open_round
from tracker.models import User


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_round_list_and_detail_queries_do_not_grow_with_rounds_or_units(figures, login):
    client = login(figures.lead)
    rounds = reverse("indicators:rounds")
    few = queries(client, rounds)
    open_round(figures.lead, [figures.street], 2023)
    assert FigureRound.objects.count() == 3
    assert queries(client, rounds) == few

    detail = reverse("indicators:round_detail", args=[figures.before.pk])
    few = queries(client, detail)
    for n in range(3):
        street = Unit.objects.create(name=f"测试{n}街道办事处", kind=Unit.Kind.STREET)
        liaison = User.objects.create_user(username=f"street{n}", role=User.Role.UNIT, unit=street)
        report = figures.before.reports.create(unit=street)
        figures.before.units.add(street)
        approve(report, STREET_2024, liaison, figures.lead)
    assert queries(client, detail) == few
