"""Unit lists and annotations (plans/importer/units.py)."""

import pytest

from plans.importer.units import parse_annotation, split_units


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("区司法局，各行政执法部门,各街道办事处", ["区司法局", "各行政执法部门", "各街道办事处"]),
        ("区司法局、区财政局；区人社局;各街道办事处", ["区司法局", "区财政局", "区人社局", "各街道办事处"]),
        ("市交通委（市道运局）、市公安局", ["市交通委（市道运局）", "市公安局"]),
        ("市应急局，各区、县级市", ["市应急局", "各区、县级市"]),
        ("各区、县级市人民政府，市财政局", ["各区、县级市人民政府", "市财政局"]),
        ("各委、办、局", ["各委、办、局"]),
        ("各镇人民政府、街道办事处", ["各镇人民政府、街道办事处"]),
        ("各区、各部门", ["各区", "各部门"]),
        ("各街道办事处、区财政局", ["各街道办事处", "区财政局"]),
        ("各县（市、区）人民政府、市财政局等部门", ["各县（市、区）人民政府", "市财政局"]),
        ("区文化和旅游局 区民政局", ["区文化和旅游局", "区民政局"]),
        ("区司法局，区司法局", ["区司法局"]),
    ],
)
def test_split_units(text, names):
    assert split_units(text) == names


@pytest.mark.parametrize(
    ("text", "leads", "units"),
    [
        ("(责任单位:各行政执法部门,各街道办事处)", [], ["各行政执法部门", "各街道办事处"]),
        ("（牵头单位：区司法局；配合单位：区财政局、区人社局）", ["区司法局"], ["区司法局", "区财政局", "区人社局"]),
        ("牵头单位：市应急局；责任单位：市公安局，市住房建设局", ["市应急局"], ["市应急局", "市公安局", "市住房建设局"]),
        ("（区司法局负责）", [], ["区司法局"]),
        ("（区司法局、区财政局负责）", [], ["区司法局", "区财政局"]),
        ("（区司法局牵头，区财政局、区人社局配合）", ["区司法局"], ["区司法局", "区财政局", "区人社局"]),
        ("（区司法局牵头，各部门按职责分工负责）", ["区司法局"], ["区司法局", "各部门"]),
        ("（区司法局会同区财政局负责）", ["区司法局"], ["区司法局", "区财政局"]),
        ("（区司法局牵头、区财政局配合）", ["区司法局"], ["区司法局", "区财政局"]),
    ],
)
def test_annotations(text, leads, units):
    annotation = parse_annotation(text)
    assert annotation is not None
    assert annotation.leads == leads
    assert annotation.units == units


def test_first_unit_becomes_lead_under_a_document_rule():
    annotation = parse_annotation("（区委编办、区财政局负责）", first_is_lead=True)
    assert annotation.leads == ["区委编办"]
    # An explicit lead is never overridden.
    assert parse_annotation("（区财政局配合，区委编办牵头）", first_is_lead=True).leads == ["区委编办"]


def test_deadline_inside_an_annotation_is_kept_as_a_note():
    annotation = parse_annotation("（责任单位：区司法局；完成时限：2024年底前）")
    assert annotation.units == ["区司法局"]
    assert annotation.note == "完成时限：2024年底前"


@pytest.mark.parametrize(
    "text",
    ["（2023—2025年）", "(国办发〔2022〕27号)", "（以下简称市场监管局）", "（每季度至少一次）", "（对发现的问题由属地负责）",
     "（区司法局、区财政局）", "", "（）"],
)
def test_ordinary_brackets_are_not_annotations(text):
    assert parse_annotation(text) is None


def test_annotation_holding_only_a_deadline_names_no_units():
    annotation = parse_annotation("完成时限：2024年底前")
    assert annotation.units == [] and annotation.note == "完成时限：2024年底前"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("区财政局和区人社局", ["区财政局", "区人社局"]),
        ("区卫生健康委与区医保局", ["区卫生健康委", "区医保局"]),
        ("区文化和旅游局", ["区文化和旅游局"]),
        ("区住房和城乡建设局", ["区住房和城乡建设局"]),
        ("各省、自治区、直辖市人民政府，国务院各部委", ["各省、自治区、直辖市人民政府", "国务院各部委"]),
    ],
)
def test_units_joined_by_and_split_only_when_each_part_is_a_body(text, names):
    assert split_units(text) == names
