"""考核排名 and 考核设置 pages, and the ranking's workbook."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from reports.scoring import ScoringScheme
from tests.reports.conftest import at


def test_lead_sees_every_units_breakdown_and_a_liaison_only_its_own(worked, login):
    url = reverse("reports:ranking", args=[worked.plan.pk])
    with at(2024, 7, 20, 9):
        lead = login(worked.lead).get(url, {"as_of": "2024-07-15"}).content.decode()
        street = login(worked.street_user).get(url, {"as_of": "2024-07-15"}).content.decode()
    assert "区财政局" in lead and "光复道街道办事处" in lead and "100.0" in lead and "11.0" in lead
    assert "光复道街道办事处" in street and "区财政局" not in street and "11.0" in street
    assert "按时完成50分×到期事项按时完成率" in lead


def test_a_day_before_the_plan_is_refused_and_today_shown(worked, login):
    with at(2024, 7, 20, 9):
        page = login(worked.inspector).get(reverse("reports:ranking", args=[worked.plan.pk]),
                                           {"as_of": "1999-01-01"}).content.decode()
    assert "截至日期早于方案印发日期" in page and "截至2024年7月20日" in page


def test_ranking_workbook_has_each_units_breakdown(worked, login):
    with at(2024, 7, 20, 9):
        response = login(worked.inspector).get(reverse("reports:ranking_xlsx", args=[worked.plan.pk]),
                                               {"as_of": "2024-07-15"})
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = [r for r in sheet.iter_rows(values_only=True)]
    assert rows[1][:2] == ("名次", "责任单位") and rows[1][-1] == "总分"
    assert rows[2][:2] == (1, "区财政局") and rows[2][-1] == 100
    assert rows[3][:2] == (2, "光复道街道办事处") and rows[3][-1] == 11
    assert rows[3][11:17] == (1, 2, 1, 5, 1, 2)  # overdue, off; letters, off; rounds late, off


def test_lead_sets_the_scheme_and_weights_must_add_up_to_100(worked, login):
    url = reverse("reports:scoring_settings", args=[worked.plan.pk])
    client = login(worked.lead)
    data = {"on_time_points": 60, "target_points": 20, "quality_points": 30, "overdue_deduction": "3",
            "letter_deduction": "4", "round_deduction": "1.5"}
    with at(2024, 7, 20, 9):
        refused = client.post(url, data)
        assert "三项分值合计应为100分（现为110分）" in refused.content.decode()
        assert not ScoringScheme.objects.exists()
        saved = client.post(url, {**data, "target_points": 10})
    assert saved.status_code == 302
    scheme = ScoringScheme.objects.get(plan=worked.plan)
    assert (scheme.on_time_points, scheme.target_points, str(scheme.round_deduction)) == (60, 10, "1.5")


def test_inspector_reads_the_settings_but_may_not_change_them(worked, login):
    url = reverse("reports:scoring_settings", args=[worked.plan.pk])
    with at(2024, 7, 20, 9):
        assert login(worked.inspector).get(url).status_code == 403
        assert login(worked.inspector).post(url, {}).status_code == 403
        assert login(worked.finance_user).get(url).status_code == 403


def test_dashboard_shows_the_ranking_block(worked, login):
    url = reverse("tasks:dashboard")
    with at(2024, 7, 20, 9):
        lead = login(worked.lead).get(url, {"plan": worked.plan.pk}).content.decode()
        street = login(worked.street_user).get(url, {"plan": worked.plan.pk}).content.decode()
    block = lead[lead.index('data-testid="dashboard-ranking"'):lead.index("</section>", lead.index("dashboard-ranking"))]
    assert block.index("区财政局") < block.index("光复道街道办事处") and "考核设置" in block
    assert "−9.0" in block and "11.0" in block  # 2 + 5 + 2 off; as of today the same as on 07-15
    own = street[street.index('data-testid="dashboard-ranking"'):]
    own = own[:own.index("</section>")]
    assert "光复道街道办事处" in own and "区财政局" not in own and "查看本单位得分明细" in own
