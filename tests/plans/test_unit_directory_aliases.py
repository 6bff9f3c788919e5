"""The directory's 文中称谓: the lead office maps a plan's wording to a group or a unit; the importer reads it."""

import datetime

import time_machine
from django.urls import reverse

from plans.directory import Directory
from plans.models import Measure, UnitAlias, UnitGroup
from tasks.models import Assignment

URL = reverse("plans:units")


def test_an_alias_of_a_unit_and_one_of_a_group_both_show(cast, login):
    UnitAlias.objects.create(name="区财政", unit=cast.finance)
    UnitAlias.objects.create(name="有关行政执法部门", group=cast.enforcers)
    response = login(cast.inspector).get(URL)
    assert response.status_code == 200
    table = response.content.decode().split('data-testid="alias-table"')[1].split("</table>")[0]
    assert "区财政" in table and '<span class="tag">区财政局</span>' in table
    assert "有关行政执法部门" in table and 'group-tag" title="分组">各行政执法部门' in table
    assert "删除" not in table and 'data-testid="alias-form"' not in response.content.decode()


def test_lead_maps_a_wording_to_a_group_and_the_importer_reads_it(cast, login):
    response = login(cast.lead).post(URL, {"action": "alias", "name": " 区级赋权行政执法部门 ",
                                           "target": f"group:{cast.enforcers.pk}"}, follow=True)
    assert "已保存：文中“区级赋权行政执法部门”指各行政执法部门。" in response.content.decode()
    assert Directory().resolve("区级赋权行政执法部门") == cast.enforcers
    login(cast.lead).post(URL, {"action": "alias", "name": "区级赋权行政执法部门", "target": f"unit:{cast.justice.pk}"})
    alias = UnitAlias.objects.get(name="区级赋权行政执法部门")
    assert (alias.unit, alias.group) == (cast.justice, None)


def test_an_alias_needs_a_new_name_and_a_target(cast, login):
    page = login(cast.lead).post(URL, {"action": "alias", "name": "区财政局",
                                       "target": f"unit:{cast.finance.pk}"}).content.decode()
    assert "“区财政局”已是单位名录中的名称，无需对应。" in page
    page = login(cast.lead).post(URL, {"action": "alias", "name": "有关部门", "target": ""}).content.decode()
    assert "请选择对应的单位或分组。" in page
    assert not UnitAlias.objects.exists()


def test_lead_deletes_an_alias_and_the_inspector_cannot(cast, login):
    alias = UnitAlias.objects.create(name="有关行政执法部门", group=cast.enforcers)
    assert login(cast.inspector).post(URL, {"action": "alias_delete", "alias": alias.pk}).status_code == 403
    assert login(cast.inspector).post(URL, {"action": "alias", "name": "x",
                                            "target": f"unit:{cast.finance.pk}"}).status_code == 403
    response = login(cast.lead).post(URL, {"action": "alias_delete", "alias": alias.pk})
    assert response.status_code == 302 and not UnitAlias.objects.exists()
    assert login(cast.lead).post(URL, {"action": "alias_delete", "alias": alias.pk}).status_code == 404


@time_machine.travel(datetime.datetime(2024, 6, 20, 10, tzinfo=datetime.UTC), tick=False)
def test_lead_defines_a_group_the_plan_needs_and_its_members_get_its_open_work(cast, login):
    client = login(cast.lead)
    response = client.post(URL, {"action": "group", "name": "相关执法部门", "members": [cast.finance.pk]},
                           follow=True)
    assert "已保存分组“相关执法部门”（1 个成员）" in response.content.decode()
    group = UnitGroup.objects.get(name="相关执法部门")
    Measure.objects.get(pk=cast.measure.pk).groups.add(group)
    page = client.get(URL, {"group": group.pk}).content.decode()
    assert "修改分组“相关执法部门”" in page and f'name="group" value="{group.pk}"' in page
    client.post(URL, {"action": "group", "group": group.pk, "name": "相关执法部门",
                      "members": [cast.finance.pk, cast.justice.pk]})
    assert set(group.members.all()) == {cast.finance, cast.justice}
    assert Assignment.objects.filter(measure=cast.measure, unit=cast.justice).exists()
    page = client.post(URL, {"action": "group", "name": "各街道办事处"}).content.decode()
    assert "已有同名分组。" in page
    assert login(cast.inspector).post(URL, {"action": "group", "name": "x"}).status_code == 403
