"""Migration 0005: a kept report's 存在问题 and 下步工作 move from their columns into the section texts — the lead
office's words into ``texts``, an unedited draft into ``drafts`` — and back."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("reports", "0004_kept_report_text")]
AFTER = [("reports", "0005_annual_report_section_texts")]


def migrate(targets):
    """The database with reports migrated to ``targets`` (every other app at its latest); the models as they are then."""
    executor = MigrationExecutor(connection)
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "reports"]
    executor.migrate(others + targets)
    executor.loader.build_graph()
    return executor.loader.project_state(others + targets).apps


# Not serialized_rollback: reloading the serialized rows clashes with content types that an earlier test on the
# worker re-created under other ids after a flush. The catalogue this flush empties is put back by the tests that
# need it (tests.standard_catalogue).
@pytest.mark.django_db(transaction=True)
def test_old_problems_and_next_steps_move_into_the_section_texts_and_back():
    try:
        apps = migrate(BEFORE)
        Plan, Unit = apps.get_model("plans", "Plan"), apps.get_model("plans", "Unit")
        User, Job = apps.get_model("tracker", "User"), apps.get_model("reports", "ReportJob")
        plan = Plan.objects.create(title="测试方案", ends_on=datetime.date(2025, 12, 31),
                                   lead_unit=Unit.objects.create(name="区司法局"))
        user = User.objects.create(username="lead", role="lead")
        common = {"kind": "inspection", "plan": plan, "as_of": datetime.date(2025, 6, 30), "requested_by": user}
        edited = Job.objects.create(**common, problems="（一）改写的问题。", next_steps="（一）改写的下步。",
                                    text_edited_at=datetime.datetime(2025, 7, 1, tzinfo=datetime.UTC))
        drafted = Job.objects.create(**common, problems="（一）起草的问题。", next_steps="（一）起草的下步。")
        empty = Job.objects.create(**common)

        Job = migrate(AFTER).get_model("reports", "ReportJob")
        assert Job.objects.get(pk=edited.pk).texts == {"problems": "（一）改写的问题。", "next_steps": "（一）改写的下步。"}
        assert Job.objects.get(pk=edited.pk).drafts == {}
        assert Job.objects.get(pk=drafted.pk).texts == {}
        assert Job.objects.get(pk=drafted.pk).drafts == {"problems": "（一）起草的问题。", "next_steps": "（一）起草的下步。"}
        assert (Job.objects.get(pk=empty.pk).texts, Job.objects.get(pk=empty.pk).drafts) == ({}, {})

        Job.objects.create(kind="annual", plan_id=plan.pk, as_of=datetime.date(2026, 1, 26), year=2025,
                           requested_by_id=user.pk, drafts={"basics": "全区共有行政执法主体2个。"})

        Job = migrate(BEFORE).get_model("reports", "ReportJob")
        assert not Job.objects.filter(kind="annual").exists()  # no such kind before: the page would break on it
        assert Job.objects.get(pk=edited.pk).problems == "（一）改写的问题。"
        assert Job.objects.get(pk=drafted.pk).next_steps == "（一）起草的下步。"
    finally:
        migrate([node for node in MigrationExecutor(connection).loader.graph.leaf_nodes() if node[0] == "reports"])
