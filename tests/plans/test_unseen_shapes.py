"""Shapes of plans seen in the third round of unseen documents (central, provincial, municipal and county
texts), each written here as new sentences of the same form: tracked items under headings, annotations
with other fields, vague parties, rules stated inside an annotation, numbers running into digits, one-line
documents, deadline wordings and issuers."""

from plans.importer.text import parse_text


def tasks_of(text: str) -> list[tuple]:
    return [(t["number"], t["section"], t["title"], t["lead_units"]) for t in parse_text(text)["tasks"]]


def test_items_with_their_own_annotations_under_a_list_heading_are_tracked_items():
    plan = parse_text(
        "某市优化营商环境实施方案\n一、提升政务服务效能\n（一）推进政务服务标准化。重点做好以下工作：\n"
        "1．编制政务服务事项清单。（牵头单位：市政务服务局；配合单位：市司法局）\n"
        "2．推行告知承诺制。（牵头单位：市市场监管局）\n"
        "（二）优化审批流程。主要包括：\n"
        "3．压缩审批时限。（牵头单位：市发展改革委）\n"
        "4．推进联合验收。（牵头单位：市住房城乡建设局）\n"
    )
    assert [(t["number"], t["section"], t["title"], t["lead_units"]) for t in plan["tasks"]] == [
        (1, "（一）", "编制政务服务事项清单", ["市政务服务局"]),
        (2, "（一）", "推行告知承诺制", ["市市场监管局"]),
        (3, "（二）", "压缩审批时限", ["市发展改革委"]),
        (4, "（二）", "推进联合验收", ["市住房城乡建设局"]),
    ]
    assert plan["tasks"][0]["units"] == ["市政务服务局", "市司法局"]
    assert [(s["number"], s["title"]) for s in plan["sections"]][1:] == [
        ("（一）", "推进政务服务标准化"), ("（二）", "优化审批流程")]


def test_items_a_heading_calls_measures_stay_measures_of_the_heading():
    plan = parse_text(
        "某市优化营商环境实施方案\n一、提升政务服务效能\n（一）推进政务服务标准化。具体措施：\n"
        "1．编制政务服务事项清单。（牵头单位：市政务服务局）\n"
        "2．推行告知承诺制。（牵头单位：市市场监管局）\n"
    )
    [task] = plan["tasks"]
    assert task["title"] == "推进政务服务标准化"
    assert [m["units"] for m in task["measures"]] == [["市政务服务局"], ["市市场监管局"]]


def test_items_without_annotations_under_a_list_heading_stay_its_measures():
    plan = parse_text(
        "某县工作方案\n一、重点任务\n（一）加强队伍建设。主要包括：\n1．开展全员培训。\n2．组织业务考试。\n"
        "（县司法局负责）\n"
    )
    [task] = plan["tasks"]
    assert (task["title"], task["units"], len(task["measures"])) == ("加强队伍建设", ["县司法局"], 2)
