"""数据报送 follow-up: a 数据报送通知 when a round opens, a 提醒 three working days before its due date, a 催报 on the
first working day after it and again every five working days (not daily) to the units still 未报送 or 已退回,
each once per (round, unit, kind, seq), carried by the unit's 每日汇总 under 调度."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from indicators.chasing import chase_figures, step_at
from indicators.models import FigureReport, FigureRound, Indicator, Period
from notifications.models import LadderConfig, Message
from notifications.sweep import run_sweep
from tasks.models import RoundNotice
from tasks.tasks import run_round_schedules
from tests.indicators.conftest import CODES, FINANCE_2025

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def quiet_ladder(figures):
    """The cast's task items are long overdue: their 催办 would share the digests; the plan's ladder is off."""
    LadderConfig.objects.filter(plan=figures.plan).update(enabled=False) or LadderConfig.objects.create(
        plan=figures.plan, enabled=False)


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def at(text: str):
    return time_machine.travel(datetime.datetime.fromisoformat(f"{text}T09:00:00+08:00"), tick=False)


def chase(text: str) -> dict:
    with at(text):
        return chase_figures(day(text))


def told(rnd, kind) -> set:
    return set(RoundNotice.objects.filter(figure_round=rnd, kind=kind).values_list("unit__name", "seq"))


def submit_finance(figures, text: str) -> None:
    by_code = {i.code: i.pk for i in Indicator.objects.all()}
    with at(text):
        figures.finance_report.submit({by_code[c]: (Decimal(v), "") for c, v in FINANCE_2025.items()},
                                      figures.finance_user, timezone.now())


def digest(unit) -> Message:
    return Message.objects.filter(kind=Message.Kind.DIGEST, unit=unit).latest("pk")


def test_opening_a_round_tells_each_unit_once_in_its_next_digest(figures):
    assert told(figures.round, RoundNotice.Kind.OPENED) == {("区财政局", 1), ("光复道街道办事处", 1)}
    with at("2026-01-12"):
        run_sweep(day("2026-01-12"), documents="never")
        run_sweep(day("2026-01-12"), documents="never")
    message = Message.objects.get(kind=Message.Kind.DIGEST, unit=figures.street)  # one digest, said once
    # the 2024 round of the fixture, opened the same day, was reported and approved before the digest: not asked
    assert "数据报送通知1项" in message.subject
    assert "数据报送通知：2025年数据报送已发起，请于2026年1月20日前报送本单位2025年的行政执法数据。" in message.body
    assert "2024年数据报送" not in message.body
    assert "一、调度（1项）" in message.body
    assert message.plan_id is None


def test_the_reminder_comes_three_working_days_before_the_due_date_once(figures):
    # due Tuesday 2026-01-20: three working days before is Thursday the 15th (16th, 19th, 20th to go)
    assert chase("2026-01-14") == {"figures_reminded": 0, "figures_chased": 0}
    assert chase("2026-01-15") == {"figures_reminded": 2, "figures_chased": 0}
    assert chase("2026-01-15")["figures_reminded"] == 0  # a second run (or worker) finds them told
    assert chase("2026-01-16")["figures_reminded"] == 0
    assert chase("2026-01-20") == {"figures_reminded": 0, "figures_chased": 0}  # the due date still counts
    assert told(figures.round, RoundNotice.Kind.REMIND) == {("区财政局", 1), ("光复道街道办事处", 1)}


def test_late_units_are_chased_after_the_due_date_then_at_the_interval_not_every_day(figures):
    assert chase("2026-01-21")["figures_chased"] == 2  # the first working day after the due date
    for quiet in ("2026-01-22", "2026-01-23", "2026-01-24", "2026-01-26", "2026-01-27"):
        assert chase(quiet)["figures_chased"] == 0
    assert chase("2026-01-28")["figures_chased"] == 2  # five working days on: the second 催报
    assert told(figures.round, RoundNotice.Kind.CHASE) == {("区财政局", 1), ("光复道街道办事处", 1),
                                                           ("区财政局", 2), ("光复道街道办事处", 2)}


def test_a_job_that_missed_days_sends_only_the_step_in_force(figures):
    assert chase("2026-01-29") == {"figures_reminded": 0, "figures_chased": 2}
    assert told(figures.round, RoundNotice.Kind.CHASE) == {("区财政局", 2), ("光复道街道办事处", 2)}


def test_a_submitted_report_is_not_reminded_or_chased(figures):
    submit_finance(figures, "2026-01-14")
    chase("2026-01-15")
    chase("2026-01-21")
    assert told(figures.round, RoundNotice.Kind.REMIND) == {("光复道街道办事处", 1)}
    assert told(figures.round, RoundNotice.Kind.CHASE) == {("光复道街道办事处", 1)}


def test_a_report_submitted_late_stops_the_chase(figures):
    chase("2026-01-21")
    submit_finance(figures, "2026-01-22")
    chase("2026-01-28")
    assert told(figures.round, RoundNotice.Kind.CHASE) == {("区财政局", 1), ("光复道街道办事处", 1),
                                                           ("光复道街道办事处", 2)}


def test_a_returned_report_is_chased_again_with_its_reason(figures):
    submit_finance(figures, "2026-01-19")
    chase("2026-01-21")
    assert told(figures.round, RoundNotice.Kind.CHASE) == {("光复道街道办事处", 1)}
    with at("2026-01-22"):
        FigureReport.objects.get(pk=figures.finance_report.pk).decide(figures.lead, False, "罚没金额与台账不符",
                                                                      timezone.now())
    chase("2026-01-23")
    notice = RoundNotice.objects.get(figure_round=figures.round, unit=figures.finance, kind=RoundNotice.Kind.CHASE)
    assert (notice.seq, notice.reason, notice.created_on) == (1, "罚没金额与台账不符", day("2026-01-23"))
    with at("2026-01-23"):
        run_sweep(day("2026-01-23"), documents="never")
    assert ("2025年数据报送：已于2026年1月20日截止，你单位报送的数据已被退回（退回理由：罚没金额与台账不符），"
            "请尽快报送。") in digest(figures.finance).body


def test_the_digest_lists_the_chase_under_its_round_with_the_period(figures):
    with at("2026-01-12"):
        run_sweep(day("2026-01-12"), documents="never")  # the opening notices go first
    chase("2026-01-21")
    with at("2026-01-21"):
        run_sweep(day("2026-01-21"), documents="never")
    message = digest(figures.street)
    assert message.subject == "光复道街道办事处：2026年1月21日督办汇总（催报1项）"
    assert message.body.splitlines() == ["光复道街道办事处：", "一、调度（1项）",
                                         "1. 2025年数据报送：已于2026年1月20日截止，你单位尚未报送，请尽快报送。"]
    assert not RoundNotice.objects.filter(message__isnull=True).exists()
    chase("2026-01-28")
    with at("2026-01-28"):
        run_sweep(day("2026-01-28"), documents="never")
    assert digest(figures.street).body.endswith("请尽快报送。（第2次催报）")


def test_the_reminder_reads_as_one(figures):
    chase("2026-01-15")
    with at("2026-01-15"):
        run_sweep(day("2026-01-15"), documents="never")
    message = digest(figures.finance)
    assert "数据报送提醒1项" in message.subject
    assert "2025年数据报送：将于2026年1月20日截止，你单位尚未报送，请按时报送。" in message.body


def test_a_due_date_before_a_weekend_is_chased_on_the_next_working_day(figures):
    friday = FigureRound(due_on=day("2026-01-16"), remind_workdays=3, chase_every_workdays=5)
    assert step_at(friday, day("2026-01-13")).kind == "remind"  # 14th, 15th, 16th to go
    assert step_at(friday, day("2026-01-12")) is None
    assert step_at(friday, day("2026-01-17")) is None and step_at(friday, day("2026-01-18")) is None
    assert (step_at(friday, day("2026-01-19")).kind, step_at(friday, day("2026-01-19")).seq) == ("urge", 1)


def test_no_reminder_when_set_to_nought_and_one_chase_when_the_interval_is(figures):
    FigureRound.objects.filter(pk=figures.round.pk).update(remind_workdays=0, chase_every_workdays=0)
    assert chase("2026-01-19")["figures_reminded"] == 0
    assert chase("2026-01-21")["figures_chased"] == 2
    assert chase("2026-02-20")["figures_chased"] == 0


def test_the_daily_round_job_chases_the_figure_rounds_too(figures):
    with at("2026-01-21"):
        result = run_round_schedules.call_local()
    assert result["figures_chased"] == 2 and result["opened"] == 0


def test_the_round_page_lists_each_units_reminders_and_chases_with_their_dates(figures, login):
    chase("2026-01-15")
    with at("2026-01-15"):
        run_sweep(day("2026-01-15"), documents="never")
    chase("2026-01-21")
    with at("2026-01-21"):
        page = login(figures.lead).get(reverse("indicators:round_detail", args=[figures.round.pk]))
    cells = [c.split("</td>")[0] for c in page.content.decode().split('data-testid="figure-notices">')[1:]]
    assert len(cells) == 2
    assert all("提醒 1月15日" in c and "催报 1月21日（待发送）" in c for c in cells)
    assert "截止前3个工作日提醒，截止后第1个工作日催报，此后每5个工作日再次催报" in page.content.decode()


def test_a_chase_not_sent_yet_is_withdrawn_when_the_report_comes_in_before_the_digest(figures):
    with at("2026-01-12"):
        run_sweep(day("2026-01-12"), documents="never")
    chase("2026-01-21")  # just after midnight
    submit_finance(figures, "2026-01-21")  # in the morning, before the digest
    with at("2026-01-21"):
        run_sweep(day("2026-01-21"), documents="never")
    assert told(figures.round, RoundNotice.Kind.CHASE) == {("光复道街道办事处", 1)}
    assert "截止" in digest(figures.street).body
    assert not Message.objects.filter(kind=Message.Kind.DIGEST, unit=figures.finance, digest_on=day("2026-01-21"))


def test_a_round_opened_and_answered_before_the_digest_is_not_announced(figures):
    """区财政局 reports the same morning the round opens: the next digest does not ask it to report."""
    submit_finance(figures, "2026-01-12")
    with at("2026-01-12"):
        run_sweep(day("2026-01-12"), documents="never")
    assert not Message.objects.filter(kind=Message.Kind.DIGEST, unit=figures.finance).exists()  # nothing to ask
    assert "2025年数据报送已发起" in digest(figures.street).body


def test_the_inbox_shows_the_figures_notices_as_the_digest_says_them_with_a_link_to_the_report(figures, login):
    chase("2026-01-15")
    with at("2026-01-15"):
        run_sweep(day("2026-01-15"), documents="never")
        page = login(figures.street_user).get(reverse("notifications:inbox")).content.decode()
    item = page.split('data-testid="round-notice">')[1].split("</li>")[0]
    assert "提醒" in item
    assert "2025年数据报送：将于2026年1月20日截止，你单位尚未报送，请按时报送。" in item
    assert reverse("indicators:report", args=[figures.street_report.pk]) in item
    assert digest(figures.street).link == reverse("indicators:rounds")  # nothing of 我的任务 in it


def test_a_reason_of_several_lines_stays_on_its_numbered_line(figures):
    submit_finance(figures, "2026-01-19")
    with at("2026-01-20"):
        FigureReport.objects.get(pk=figures.finance_report.pk).decide(
            figures.lead, False, "1. 罚没金额与台账不符；\r\n2. 持证人数多于执法人员。", timezone.now())
    chase("2026-01-21")
    with at("2026-01-21"):
        run_sweep(day("2026-01-21"), documents="never")
    assert digest(figures.finance).body.splitlines()[-1] == (
        "1. 2025年数据报送：已于2026年1月20日截止，你单位报送的数据已被退回（退回理由：1. 罚没金额与台账不符； "
        "2. 持证人数多于执法人员。），请尽快报送。")


def test_a_chase_speaks_of_the_report_as_it_stands_when_the_digest_goes(figures):
    """Told at midnight that it had not reported, 区财政局 reports in the morning and is sent back before the
    digest: the digest gives the reason, not 尚未报送."""
    chase("2026-01-21")
    submit_finance(figures, "2026-01-21")
    with at("2026-01-21"):
        FigureReport.objects.get(pk=figures.finance_report.pk).decide(figures.lead, False, "罚没金额与台账不符",
                                                                      timezone.now())
        run_sweep(day("2026-01-21"), documents="never")
    assert digest(figures.finance).body.splitlines()[-1] == (
        "1. 2025年数据报送：已于2026年1月20日截止，你单位报送的数据已被退回（退回理由：罚没金额与台账不符），请尽快报送。")


def test_a_round_opened_inside_its_reminder_days_is_not_reminded_beside_its_notice(figures):
    """Opened on Friday the 16th, due Tuesday the 20th: the 数据报送通知 of Monday's digest names the due date, so
    no 提醒 stands beside it; the 催报 comes as ever."""
    with at("2026-01-16"):
        short = FigureRound(period_kind=Period.QUARTER, year=2025, quarter=4, due_on=day("2026-01-20"),
                            created_by=figures.lead)
        short.open([figures.finance], Indicator.objects.filter(code__in=CODES))
    chase("2026-01-19")
    with at("2026-01-19"):
        run_sweep(day("2026-01-19"), documents="never")
    body = digest(figures.finance).body
    assert "2025年第四季度数据报送已发起" in body and "2025年第四季度数据报送：将于" not in body
    assert told(short, RoundNotice.Kind.REMIND) == set()
    chase("2026-01-21")
    assert told(short, RoundNotice.Kind.CHASE) == {("区财政局", 1)}
