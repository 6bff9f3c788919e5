import datetime

import time_machine
from django.urls import reverse

from tasks.models import Assignment, Submission

TODAY = datetime.datetime(2024, 7, 10, 9, 0, tzinfo=datetime.UTC)


def figures(response) -> dict[str, int]:
    return {item.label: item.count for item in response.context["items"]}


@time_machine.travel(TODAY, tick=False)
def test_lead_office_sees_overdue_work_and_pending_reviews(cast, login):
    Submission.objects.create(assignment=cast.street_assignment, author=cast.street_user, text="已完成", percent=100)
    response = login(cast.lead).get(reverse("home"))
    assert response.status_code == 200
    shown = figures(response)
    assert shown["已逾期"] == 2
    assert shown["待审核报送"] == 1
    assert "发送失败的通知" in shown
    assert "工作台" in response.content.decode()


@time_machine.travel(TODAY, tick=False)
def test_liaison_sees_only_its_own_unit(cast, login):
    Assignment.objects.filter(pk=cast.street_assignment.pk).update(status=Assignment.Status.RETURNED)
    shown = figures(login(cast.finance_user).get(reverse("home")))
    assert shown["已逾期"] == 1
    assert shown["被退回待重报"] == 0
    assert "发送失败的通知" not in shown and "待审核报送" not in shown
    street = figures(login(cast.street_user).get(reverse("home")))
    assert street["被退回待重报"] == 1


@time_machine.travel(TODAY, tick=False)
def test_query_count_does_not_grow_with_assignments(cast, login, django_assert_max_num_queries):
    client = login(cast.lead)
    client.get(reverse("home"))
    with django_assert_max_num_queries(15) as few:
        client.get(reverse("home"))
    for i in range(20):
        Assignment.objects.create(measure=cast.measure, unit=cast.finance, period=f"第{i}期",
                                  due_on=datetime.date(2024, 6, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))
