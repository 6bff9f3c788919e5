"""Every URL of the site × every role, for GET and for POST: the answers of tracker.access.

The URLs are read from the URL resolver (every namespace but Django's admin), so a new URL cannot escape:
``test_every_url_is_in_the_matrix`` fails until it has a row in ``MATRIX``. A row gives the URL's arguments
(real objects of the world in tests/tracker/conftest.py, all belonging to 光复道街道办事处), the POST data, and
the expected status for each role, in the order of ``ROLES``:

- anonymous — not signed in: the sign-in page (302) everywhere but the sign-in and sign-out pages;
- lead — the lead office (区司法局): sees and changes everything;
- inspector — reads everything, changes nothing: every POST answers 403, but for marking one's own messages
  read and asking for a report (printing is reading), and signing in and out;
- own — the liaison of 光复道街道办事处, which owns every object of the world;
- other — the liaison of 区财政局, which owes something in the same plan, task and measure: every object of the
  street office answers 404 to it, as if it did not exist;
- outsider — the liaison of 区外单位, which owes nothing anywhere: the plan, task and measure answer 404 too.

The order of the checks (tracker/access.py): sign-in (302); an inspector's change (403); a page for other roles
with no object in the URL (403); the method (405); an object the user may not see (404); what the user may not
do with an object it sees (403).
"""

from dataclasses import dataclass
from typing import Any

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.tasks.conftest import PDF, upload
from tests.tracker.conftest import NOW

ROLES = ("anonymous", "lead", "inspector", "own", "other", "outsider")
# Refusals first: a row changes the world at most by its permitted roles, which come last.
ORDER = ("anonymous", "inspector", "outsider", "other", "own", "lead")

LOGIN = 302  # to the sign-in page
ALL = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
NOT_POST = (LOGIN, 405, 403, 405, 405, 405)  # a page that only reads: an inspector's POST is refused first
NOT_GET = (LOGIN, 405, 405, 405, 405, 405)  # an action: GET is no method of it
OVERSEERS = (LOGIN, 200, 200, 403, 403, 403)  # the lead office's pages that inspectors read
OVERSEERS_NOT_POST = (LOGIN, 405, 403, 403, 403, 403)
LEAD_ONLY = (LOGIN, 200, 403, 403, 403, 403)
STREET_OBJECT = (LOGIN, 200, 200, 200, 404, 404)  # what the street office owns: its liaison reads it


@dataclass
class Row:
    kwargs: "Of"
    get: tuple
    post: tuple
    data: Any = None  # world -> dict


class Of:
    """A URL's arguments: world objects by attribute (Of(pk="letter") → {"pk": world.letter.pk}), and constants."""

    def __init__(self, constants: dict | None = None, **names: str):
        self.names, self.constants = names, constants or {}

    def __call__(self, w) -> dict:
        return {**{key: getattr(w, attr).pk for key, attr in self.names.items()}, **self.constants}


none = Of()
STREET_OWNED = {"assignment", "submission", "evidence", "extension", "letter", "reply_file", "notification",
                "delivery", "job", "street", "street_user", "figure_report"}


MATRIX = {
    # --- the home page and signing in and out -------------------------------------------------------------
    "home": Row(none, SIGNED_IN, NOT_POST),
    "login": Row(none, ALL, ALL, data=lambda w: {}),  # the form, with "请输入用户名" on POST
    "logout": Row(none, (405,) * 6, (302,) * 6),
    # --- plans: a liaison reads the plans its unit owes something in --------------------------------------
    "plans:list": Row(none, SIGNED_IN, NOT_POST),
    "plans:detail": Row(Of(pk="plan"), (LOGIN, 200, 200, 200, 200, 404), (LOGIN, 302, 403, 403, 403, 404),
                        data=lambda w: {"doc_number": "测政发〔2024〕9号", "lead_unit": w.justice.pk,
                                        "letter_prefix": "测司法函", "circular_prefix": "测司法通",
                                        "progress_every_months": w.plan.progress_every_months}),
    "plans:import": Row(none, LEAD_ONLY, LEAD_ONLY, data=lambda w: {}),  # lead: the form asks for a file
    "plans:import_preview": Row(none, (LOGIN, 404, 403, 403, 403, 403), (LOGIN, 404, 403, 403, 403, 403)),
    "plans:import_confirm": Row(none, (LOGIN, 405, 403, 403, 403, 403), (LOGIN, 404, 403, 403, 403, 403)),
    "plans:units": Row(none, OVERSEERS, (LOGIN, 200, 403, 403, 403, 403), data=lambda w: {}),
    # a unit's 群机器人: the lead office only; the lead's empty form keeps everything as it is
    "plans:unit_robot": Row(Of(pk="street"), (LOGIN, 200, 403, 403, 404, 404), (LOGIN, 302, 403, 403, 404, 404),
                            data=lambda w: {}),
    # --- tasks: the work list and an assignment with what hangs on it -------------------------------------
    "tasks:my_tasks": Row(none, (LOGIN, 302, 302, 200, 200, 200), NOT_POST),
    "tasks:assignments": Row(none, (LOGIN, 200, 200, 302, 302, 302), NOT_POST),
    "tasks:led_items": Row(none, (LOGIN, 302, 302, 200, 200, 200), NOT_POST),  # the measures its unit leads
    "tasks:assignment": Row(Of(pk="assignment"), STREET_OBJECT, NOT_POST),
    "tasks:submit": Row(Of(pk="assignment"), NOT_GET, (LOGIN, 403, 403, 302, 404, 404),
                        data=lambda w: {"text": "已组织培训。", "percent": "60",
                                        "files": [upload("培训签到表.pdf", PDF)]}),
    "tasks:batch_report": Row(none, (LOGIN, 403, 403, 302, 302, 302),  # GET without ticked items: back to the list
                              (LOGIN, 403, 403, 302, 404, 404),
                              data=lambda w: {"ids": str(w.assignment.pk), "text": "已组织培训。",
                                              f"item{w.assignment.pk}-percent": "60"}),
    "tasks:deadline": Row(Of(pk="assignment"), (LOGIN, 200, 403, 403, 404, 404), (LOGIN, 302, 403, 403, 404, 404),
                          data=lambda w: {"due_on": "2024-08-31", "reason": "区委调整工作安排"}),
    # 回头看: the lead office only; the world's assignment is not done, so the lead's POST is told so
    "tasks:reopen": Row(Of(pk="assignment"), (LOGIN, 200, 403, 403, 404, 404), (LOGIN, 302, 403, 403, 404, 404),
                        data=lambda w: {"reason": "抽查佐证材料", "due_on": "2024-08-31"}),
    "tasks:extension_request": Row(Of(pk="assignment"), NOT_GET, (LOGIN, 403, 403, 200, 404, 404),  # own: one is pending
                                   data=lambda w: {"requested_due_on": "2024-09-30", "reason": "汛期任务重"}),
    "tasks:extension_decide": Row(Of(pk="extension"), (LOGIN, 200, 200, 403, 404, 404),
                                  (LOGIN, 302, 403, 403, 404, 404), data=lambda w: {"grant": "1", "reason": "理由充分"}),
    "tasks:evidence": Row(Of(pk="evidence"), STREET_OBJECT, NOT_POST),
    # --- review and managing measures (the lead office; inspectors read) ----------------------------------
    "tasks:review_queue": Row(none, OVERSEERS, (LOGIN, 302, 403, 403, 403, 403),  # POST: 批量通过
                              data=lambda w: {"submissions": [w.submission.pk], "reason": "同意"}),
    "tasks:review": Row(Of(pk="submission"), (LOGIN, 200, 200, 403, 404, 404), (LOGIN, 302, 403, 403, 404, 404),
                        data=lambda w: {"decision": "return", "reason": "缺少签到表"}),
    "tasks:integrity": Row(none, OVERSEERS, OVERSEERS_NOT_POST),
    "tasks:manage": Row(none, OVERSEERS, OVERSEERS_NOT_POST),
    "tasks:task_measures": Row(Of(pk="task"), (LOGIN, 200, 200, 403, 403, 404), NOT_POST),
    "tasks:measure_add": Row(Of(pk="task"), (LOGIN, 200, 403, 403, 403, 404), (LOGIN, 302, 403, 403, 403, 404),
                             data=lambda w: measure_data(w)),
    "tasks:measure_edit": Row(Of(pk="measure"), (LOGIN, 200, 403, 403, 403, 404), (LOGIN, 302, 403, 403, 403, 404),
                              data=lambda w: measure_data(w)),
    "tasks:measure_flag": Row(Of(pk="measure"), (LOGIN, 200, 403, 403, 403, 404), (LOGIN, 302, 403, 403, 403, 404),
                              data=lambda w: {"reason": "区委督查重点"}),
    # --- overview: a liaison sees its own unit's share -----------------------------------------------------
    "tasks:dashboard": Row(none, SIGNED_IN, NOT_POST),
    "tasks:unit_detail": Row(Of(pk="street"), STREET_OBJECT, NOT_POST),
    "tasks:task_detail": Row(Of(pk="task"), (LOGIN, 200, 200, 200, 200, 404), NOT_POST),
    "tasks:ledger": Row(none, SIGNED_IN, NOT_POST),
    "tasks:ledger_xlsx": Row(none, SIGNED_IN, NOT_POST),
    "tasks:ledger_csv": Row(none, SIGNED_IN, NOT_POST),
    # --- reporting rounds: the round asks both units; they see it on their dashboard, not here -------------
    "tasks:rounds": Row(none, OVERSEERS, OVERSEERS_NOT_POST),
    "tasks:round_new": Row(none, LEAD_ONLY, (LOGIN, 302, 403, 403, 403, 403),
                           data=lambda w: {"title": "2024年8月调度", "due_on": "2024-08-25", "tasks": [w.task.pk],
                                           "units": [w.street.pk]}),
    "tasks:round_detail": Row(Of(pk="round"), (LOGIN, 200, 200, 403, 403, 404), NOT_POST),
    "tasks:round_xlsx": Row(Of(pk="round"), (LOGIN, 200, 200, 403, 403, 404), NOT_POST),
    "tasks:round_close": Row(Of(pk="round"), NOT_GET, (LOGIN, 302, 403, 403, 403, 404)),
    # a 定期调度 asks no one unit: only the overseers see it, a liaison gets 404
    "tasks:round_schedule_stop": Row(Of(pk="schedule"), NOT_GET, (LOGIN, 302, 403, 404, 404, 404)),
    # --- notifications: one's own inbox, the unit's letters, every circular ---------------------------------
    "notifications:inbox": Row(none, SIGNED_IN, (LOGIN, 302, 302, 302, 302, 302)),  # marks one's own read
    "notifications:read": Row(Of(pk="notification"), NOT_GET, (LOGIN, 404, 404, 302, 404, 404)),
    "notifications:notify_mode": Row(none, NOT_GET, (LOGIN, 403, 403, 302, 302, 302),  # its own unit's setting
                                     data=lambda w: {"notify_mode": "digest"}),
    "notifications:letters": Row(none, SIGNED_IN, NOT_POST),
    "notifications:letter": Row(Of(pk="letter"), STREET_OBJECT, (LOGIN, 403, 403, 302, 404, 404),
                                data=lambda w: {"action": "reply", "text": "已完成整改，详见附件。"}),
    "notifications:letter_pdf": Row(Of(pk="letter"), STREET_OBJECT, NOT_POST),
    "notifications:letter_docx": Row(Of(pk="letter"), STREET_OBJECT, NOT_POST),
    "notifications:reply_file": Row(Of(pk="reply_file"), STREET_OBJECT, NOT_POST),
    "notifications:circulars": Row(none, SIGNED_IN, NOT_POST),
    "notifications:circular": Row(Of(pk="circular"), SIGNED_IN, NOT_POST),
    "notifications:circular_pdf": Row(Of(pk="circular"), SIGNED_IN, NOT_POST),
    "notifications:circular_docx": Row(Of(pk="circular"), SIGNED_IN, NOT_POST),
    "notifications:circular_new": Row(Of(plan_pk="plan"), (LOGIN, 200, 200, 403, 403, 404), (LOGIN, 302, 403, 403, 403, 404),
                                      data=lambda w: {}),
    "notifications:ladder_config": Row(Of(plan_pk="plan"), (LOGIN, 200, 200, 403, 403, 404), (LOGIN, 302, 403, 403, 403, 404),
                                       data=lambda w: {"enabled": "on", "remind_days": "7,3", "urge_every_workdays": 3,
                                                       "letter_after_workdays": 10, "reply_workdays": 5,
                                                       "circular_after_workdays": 20}),
    "notifications:deliveries": Row(none, OVERSEERS, OVERSEERS_NOT_POST),
    "notifications:delivery_retry": Row(Of(pk="delivery"), NOT_GET, (LOGIN, 302, 403, 403, 404, 404)),
    "notifications:assignment": Row(Of(pk="assignment"), STREET_OBJECT, (LOGIN, 302, 403, 403, 404, 404),
                                    data=lambda w: {"kind": "urge", "note": "请本周内报送"}),
    "notifications:unit_letter": Row(Of(unit_pk="street", plan_pk="plan"),
                                     (LOGIN, 200, 200, 403, 404, 404), (LOGIN, 302, 403, 403, 404, 404)),
    # --- reports: asking for one is printing; a liaison asks for its own unit's only -------------------------
    "reports:index": Row(none, SIGNED_IN, (LOGIN, 302, 302, 302, 200, 200),  # other, outsider: the form refuses
                         data=lambda w: {"kind": "unit", "plan": w.plan.pk, "unit": w.street.pk,
                                         "as_of": "2024-07-22"}),
    "reports:job": Row(Of(pk="job"), STREET_OBJECT, NOT_POST),
    "reports:status": Row(Of(pk="job"), STREET_OBJECT, NOT_POST),
    # 重新生成: the requester (the street office's liaison here) or the lead office; the job is done, so nothing
    "reports:retry": Row(Of(pk="job"), NOT_GET, (LOGIN, 302, 403, 302, 404, 404)),
    # 存在问题/下步工作 of a kept report: the lead office writes them (an inspector prints, never edits)
    "reports:text": Row(Of(pk="job"), NOT_GET, (LOGIN, 302, 403, 403, 404, 404),
                        data=lambda w: {"problems": "（一）逾期事项较多。", "next_steps": "（一）逐项督促整改。"}),
    "reports:download": Row(Of({"fmt": "pdf"}, pk="job"), STREET_OBJECT, NOT_POST),
    # --- 考核: a liaison whose unit owes something in the plan sees its own breakdown; settings are the lead's ---
    "reports:ranking": Row(Of(plan_pk="plan"), (LOGIN, 200, 200, 200, 200, 404), NOT_POST),
    "reports:ranking_xlsx": Row(Of(plan_pk="plan"), (LOGIN, 200, 200, 200, 200, 404), NOT_POST),
    "reports:scoring_settings": Row(Of(plan_pk="plan"), (LOGIN, 200, 403, 403, 403, 404), (LOGIN, 302, 403, 403, 403, 404),
                                    data=lambda w: {"on_time_points": 50, "target_points": 20, "quality_points": 30,
                                                    "overdue_deduction": "2", "letter_deduction": "5",
                                                    "round_deduction": "2"}),
    # --- 数据报送: the round asks both units; a unit fills in its own figures, the lead office reviews them ----
    "indicators:rounds": Row(none, SIGNED_IN, NOT_POST),
    "indicators:round_new": Row(none, LEAD_ONLY, (LOGIN, 302, 403, 403, 403, 403),
                                data=lambda w: {"period_kind": "year", "year": 2023, "due_on": "2024-08-31",
                                                "indicators": [w.indicator.pk]}),
    "indicators:round_detail": Row(Of(pk="figure_round"), (LOGIN, 200, 200, 403, 403, 404), NOT_POST),
    "indicators:report": Row(Of(pk="figure_report"), STREET_OBJECT, (LOGIN, 403, 403, 302, 404, 404),
                             data=lambda w: {"v_officers": "30", "v_certified": "28"}),
    "indicators:report_template": Row(Of(pk="figure_report"), STREET_OBJECT, NOT_POST),
    # the upload without a file: its liaison is told to choose one
    "indicators:report_upload": Row(Of(pk="figure_report"), NOT_GET, (LOGIN, 403, 403, 400, 404, 404)),
    # the report is not submitted yet, so the lead's review is told so
    "indicators:report_review": Row(Of(pk="figure_report"), NOT_GET, (LOGIN, 302, 403, 403, 404, 404),
                                    data=lambda w: {"decision": "approve"}),
    "indicators:catalogue": Row(none, LEAD_ONLY, (LOGIN, 405, 403, 403, 403, 403)),
    "indicators:indicator_new": Row(none, LEAD_ONLY, LEAD_ONLY, data=lambda w: {}),  # the form asks for the fields
    "indicators:indicator_edit": Row(Of(pk="indicator"), LEAD_ONLY, LEAD_ONLY, data=lambda w: {}),
    # --- accounts: the lead office manages them; a liaison sees its own unit's ------------------------------
    "accounts:list": Row(none, OVERSEERS, OVERSEERS_NOT_POST),
    "accounts:events": Row(none, OVERSEERS, OVERSEERS_NOT_POST),
    "accounts:create": Row(none, LEAD_ONLY, LEAD_ONLY,
                           data=lambda w: {"username": "xinkaihe", "name": "新开河联络员", "role": "unit",
                                           "unit": w.street.pk, "mode": "generate"}),
    "accounts:edit": Row(Of(pk="street_user"), (LOGIN, 200, 403, 403, 404, 404), (LOGIN, 302, 403, 403, 404, 404),
                         data=lambda w: {"name": "光复道联络员", "role": "unit", "unit": w.street.pk}),
    "accounts:set_active": Row(Of(pk="street_user"), NOT_GET, (LOGIN, 302, 403, 403, 404, 404), data=lambda w: {"active": "0"}),
    "accounts:reset_password": Row(Of(pk="street_user"), NOT_GET, (LOGIN, 200, 403, 403, 404, 404),
                                   data=lambda w: {"mode": "generate"}),
    "accounts:unlock": Row(Of(pk="street_user"), NOT_GET, (LOGIN, 302, 403, 403, 404, 404)),
    # 修改密码: one's own, every role (an inspector too); the empty form asks for the passwords
    "accounts:password_change": Row(none, SIGNED_IN, (LOGIN, 400, 400, 400, 400, 400), data=lambda w: {}),
}


def measure_data(w):
    return {"text": "新增：每季度开展一次执法案卷自查。", "due_on": "2024-09-30", "recurrence": "",
            "units": [w.street.pk], "reason": "按区委要求提前"}


def site_urls(patterns=None, namespace: str = "") -> list[str]:
    """Every named URL of the site as "namespace:name", walked from the resolver (Django's admin aside)."""
    names = []
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace != "admin":
                inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
                names += site_urls(entry.url_patterns, inner or namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}:{entry.name}" if namespace else entry.name)
    return names


URLS = site_urls()


def test_every_url_is_in_the_matrix():
    missing = sorted(set(URLS) - set(MATRIX))
    assert not missing, f"add rows to tests/tracker/test_access_matrix.py for: {missing}"
    assert not set(MATRIX) - set(URLS), "rows for URLs that no longer exist"
    counts = {ns: sum(1 for name in URLS if name.partition(":")[0] == ns and ":" in name)
              for ns in ("plans", "tasks", "notifications", "reports", "accounts", "indicators")}
    assert counts == {"plans": 7, "tasks": 31, "notifications": 18, "reports": 9, "accounts": 8, "indicators": 10}
    assert len(URLS) == len(MATRIX) == 86


def client_for(role, w, login, client):
    users = {"lead": w.lead, "inspector": w.inspector, "own": w.street_user, "other": w.finance_user,
             "outsider": w.outsider}
    return client if role == "anonymous" else login(users[role])


@pytest.mark.parametrize("name", URLS)
def test_access(world, login, client, name):
    """GET by every role, then POST by every role (GETs change nothing, so one world serves both)."""
    row = MATRIX[name]
    got = {"GET": {}, "POST": {}}
    with time_machine.travel(NOW, tick=False):
        url = reverse(name, kwargs=row.kwargs(world))
        for method in ("GET", "POST"):
            for role in ORDER:
                c = client_for(role, world, login, client)
                response = c.get(url) if method == "GET" else c.post(url, row.data(world) if row.data else {})
                got[method][role] = response.status_code
                if role == "anonymous" and response.status_code == 302 and name != "logout":
                    assert response["Location"].startswith(reverse("login")), f"{method} {url}"
    answers = {method: tuple(got[method][role] for role in ROLES) for method in got}
    assert answers == {"GET": row.get, "POST": row.post}, url


def test_an_inspector_changes_nothing():
    """Every POST answers 403 to an inspector, but for these: marking one's messages read, asking for a
    report, changing one's own password, and signing in and out — or 405/404 where there is nothing to change
    or nothing to see."""
    allowed = {"notifications:inbox", "reports:index", "login", "logout", "accounts:password_change"}
    inspector = ROLES.index("inspector")
    for name, row in MATRIX.items():
        if name not in allowed and row.get != NOT_GET and row.post[inspector] != 404:
            assert row.post[inspector] == 403, name


def test_another_unit_gets_404_for_every_object_of_the_street_office():
    """Every URL naming one of the street office's objects answers 404 to 区财政局's liaison, whatever the
    method, unless the method is refused first (405) — the issue's check, spelled out."""
    other = ROLES.index("other")
    street_urls = [name for name, row in MATRIX.items() if STREET_OWNED & set(row.kwargs.names.values())]
    assert len(street_urls) == 31
    for name in street_urls:
        answers = {MATRIX[name].get[other], MATRIX[name].post[other]}
        assert 404 in answers and answers <= {404, 405}, name


def test_a_unit_that_owes_nothing_sees_no_plan_task_or_measure():
    outsider = ROLES.index("outsider")
    for name, row in MATRIX.items():
        if {"plan", "task", "measure"} & set(row.kwargs.names.values()):
            assert 404 in (row.get[outsider], row.post[outsider]), name
