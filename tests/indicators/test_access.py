"""Who sees and changes a unit's figures: its own liaison fills them in, another unit gets 404, the inspector
reads and never writes (403), the lead office reviews but does not fill in for a unit."""

import time_machine
from django.urls import reverse

from indicators.models import FigureValue
from tests.indicators.conftest import FINANCE_2025, NOW, form_data


def test_a_unit_sees_only_its_own_figures(figures, login):
    own, other = login(figures.finance_user), login(figures.street_user)
    for name in ("indicators:report", "indicators:report_template"):
        url = reverse(name, args=[figures.finance_report.pk])
        assert own.get(url).status_code == 200
        assert other.get(url).status_code == 404
    assert other.post(reverse("indicators:report", args=[figures.finance_report.pk]),
                      form_data(FINANCE_2025)).status_code == 404
    assert login(figures.outsider).get(reverse("indicators:rounds")).content.decode().count("2025年") == 0


def test_the_inspector_reads_and_never_writes(figures, login):
    inspector = login(figures.inspector)
    assert inspector.get(reverse("indicators:report", args=[figures.finance_report.pk])).status_code == 200
    assert inspector.get(reverse("indicators:round_detail", args=[figures.round.pk])).status_code == 200
    with time_machine.travel(NOW, tick=False):
        assert inspector.post(reverse("indicators:report", args=[figures.finance_report.pk]),
                              form_data(FINANCE_2025)).status_code == 403
        assert inspector.post(reverse("indicators:report_review", args=[figures.finance_report.pk]),
                              {"decision": "approve"}).status_code == 403
    assert inspector.get(reverse("indicators:catalogue")).status_code == 403
    assert not FigureValue.objects.filter(report=figures.finance_report).exists()


def test_the_lead_office_does_not_fill_in_for_a_unit_and_a_unit_does_not_review(figures, login):
    with time_machine.travel(NOW, tick=False):
        assert login(figures.lead).post(reverse("indicators:report", args=[figures.finance_report.pk]),
                                        form_data(FINANCE_2025)).status_code == 403
        unit = login(figures.finance_user)
        unit.post(reverse("indicators:report", args=[figures.finance_report.pk]), form_data(FINANCE_2025))
        assert unit.post(reverse("indicators:report_review", args=[figures.finance_report.pk]),
                         {"decision": "approve"}).status_code == 403
    assert login(figures.finance_user).get(reverse("indicators:round_detail",
                                                   args=[figures.round.pk])).status_code == 403
