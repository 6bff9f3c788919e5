"""One preamble reader: a plan in prose and a task table under the same cover notice get the same title,
issuer and issue date."""

from plans.importer.preamble import read_preamble
from plans.importer.tables import parse_rows
from plans.importer.text import parse_text

NOTICE = [
    "某区人民政府办公室文件",
    "关于印发《某区2024年法治政府建设工作要点》的通知",
    "各街道办事处，区政府各部门：",
    "经区政府同意，现将《某区2024年法治政府建设工作要点》印发给你们，请认真贯彻落实。",
    "某区人民政府办公室",
    "2024年3月1日",
]


def test_prose_and_table_under_the_same_notice_read_the_same_preamble():
    prose = parse_text("\n".join([*NOTICE, "一、主要任务", "1．开展执法培训。（责任单位：区司法局）"]))
    table = parse_rows([["序号", "工作事项", "责任单位"], ["1", "开展执法培训", "区司法局"]], before=NOTICE)
    expected = ("某区2024年法治政府建设工作要点", "某区人民政府办公室", "2024-03-01")
    assert (prose["title"], prose["issuer"], prose["issued_on"]) == expected
    assert (table["title"], table["issuer"], table["issued_on"]) == expected


def test_issuer_falls_back_to_the_approving_body_then_the_masthead():
    assert read_preamble(["经区政府同意，现将方案印发给你们。", "某区司法局文件"]).issuer == "区政府"
    assert read_preamble(["某区司法局文件", "某区执法工作方案"]).issuer == "某区司法局"


def test_the_signature_closing_a_document_dates_it_when_the_lead_in_does_not():
    preamble = read_preamble(["某区执法工作方案"], ["请认真落实。", "某区司法局", "2024年5月8日"])
    assert (preamble.title, preamble.issuer, preamble.issued_on.isoformat()) == ("某区执法工作方案", "某区司法局", "2024-05-08")
