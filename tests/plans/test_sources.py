"""parse_file: the same plan read from .txt (UTF-8, GB18030), .docx, .xlsx and tab-separated text,
and one clear Chinese line for every file it cannot read.

The sample tables live in fixtures/tables/*.txt as tab-separated rows where "^" marks a cell merged
with the one above and "<" one merged with the one to its left; paragraphs are lines without tabs and
"#sheet 名称" starts a new worksheet in the .xlsx version. The tests build the .docx and .xlsx files
from them, with real merged cells.

"source" is the one key that differs between formats, by design: it says which kind of file the plan
came from and which table was taken. Every other key must be identical.
"""

import datetime
import json
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plans.importer import PlanImportError, parse_file
from tests.plans.demo_plan import DEMO_PLAN

SEED = DEMO_PLAN
SAMPLES = Path(__file__).parent / "fixtures" / "tables"
UP, LEFT = "^", "<"


def read_sample(name: str) -> list[tuple[str, object]]:
    """[("p", text) | ("sheet", name) | ("table", rows)] in document order."""
    blocks: list[tuple[str, object]] = []
    for line in (SAMPLES / f"{name}.txt").read_text("utf-8").splitlines():
        if line.startswith("#sheet "):
            blocks.append(("sheet", line[len("#sheet "):]))
        elif "\t" in line:
            if blocks and blocks[-1][0] == "table":
                blocks[-1][1].append(line.split("\t"))
            else:
                blocks.append(("table", [line.split("\t")]))
        else:
            blocks.append(("p", line))
    return blocks


def spans(rows: list[list[str]]):
    """(row, col, text, height, width) for each cell that is not covered by a merge."""
    width = max(len(r) for r in rows)
    grid = [r + [""] * (width - len(r)) for r in rows]
    for r, row in enumerate(grid):
        for c, text in enumerate(row):
            if text in (UP, LEFT):
                continue
            w = 1
            while c + w < width and grid[r][c + w] == LEFT:
                w += 1
            h = 1
            while r + h < len(grid) and grid[r + h][c] == UP:
                h += 1
            yield r, c, text, h, w


def write_tsv(blocks, path: Path, encoding: str = "utf-8") -> Path:
    lines = []
    for kind, value in blocks:
        if kind == "p":
            lines.append(value)
        elif kind == "table":
            lines += ["\t".join("" if c in (UP, LEFT) else c for c in row) for row in value]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def write_docx(blocks, path: Path) -> Path:
    document = docx.Document()
    for kind, value in blocks:
        if kind == "p":
            document.add_paragraph(value)
        elif kind == "table":
            table = document.add_table(rows=len(value), cols=max(len(r) for r in value))
            for r, c, text, h, w in spans(value):
                table.cell(r, c).text = text
                if h > 1 or w > 1:
                    table.cell(r, c).merge(table.cell(r + h - 1, c + w - 1))
    document.save(path)
    return path


def write_xlsx(blocks, path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    used = has_table = False
    for kind, value in blocks:
        if kind == "sheet":
            if has_table:
                sheet, used, has_table = book.create_sheet(value), False, False
            else:
                sheet.title = value
        elif kind == "p":
            sheet.append([value])
            used = True
        elif kind == "table":
            top = sheet.max_row + 1 if used else 1
            has_table = True
            for r, c, text, h, w in spans(value):
                sheet.cell(row=top + r, column=c + 1, value=text or None)
                if h > 1 or w > 1:
                    sheet.merge_cells(start_row=top + r, start_column=c + 1, end_row=top + r + h - 1,
                                      end_column=c + w)
            used = True
    book.save(path)
    return path


def without_source(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "source"}


# -- the same plan from every kind of file ---------------------------------------------------------

def test_seed_reads_the_same_from_utf8_gb18030_bom_and_docx(tmp_path):
    text = SEED.read_text("utf-8")
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes(text.encode("gb18030"))
    bom = tmp_path / "bom.txt"
    bom.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(tmp_path / "seed.docx")

    utf8 = parse_file(SEED)
    assert utf8["source"] == {"format": "txt", "table": None}
    assert len(utf8["tasks"]) >= 17
    for other in (gbk, bom):
        assert parse_file(other) == utf8
    from_docx = parse_file(tmp_path / "seed.docx")
    assert from_docx["source"] == {"format": "docx", "table": None}
    assert without_source(from_docx) == without_source(utf8)
    assert list(from_docx) == ["title", "issuer", "issued_on", "ends_on", "source", "sections", "tasks", "warnings"]


@pytest.mark.parametrize("name, table", [
    ("fenggong", "第1个表格（共6行）"),
    ("taizhang", "第1个表格（共5行）"),
])
def test_task_table_gives_the_same_json_from_xlsx_docx_and_tab_separated_text(tmp_path, name, table):
    blocks = read_sample(name)
    tsv = parse_file(write_tsv(blocks, tmp_path / f"{name}.txt"))
    gbk = parse_file(write_tsv(blocks, tmp_path / f"{name}-gbk.txt", encoding="gb18030"))
    from_docx = parse_file(write_docx(blocks, tmp_path / f"{name}.docx"))
    from_xlsx = parse_file(write_xlsx(blocks, tmp_path / f"{name}.xlsx"))

    assert tsv["source"] == {"format": "tsv", "table": table}
    assert gbk == tsv
    assert from_docx["source"] == {"format": "docx", "table": table}
    sheet = "Sheet"
    assert from_xlsx["source"] == {"format": "xlsx", "table": table.replace("（", f"（工作表“{sheet}”，")}
    assert json.dumps(without_source(from_docx), ensure_ascii=False) == json.dumps(without_source(tsv), ensure_ascii=False)
    assert without_source(from_xlsx) == without_source(tsv)
    assert tsv["tasks"] and all(t["measures"] for t in tsv["tasks"])
    warned = {w["line"] for w in tsv["warnings"] if "未写明责任单位" in w["message"]}
    assert warned == {t["line"] for t in tsv["tasks"] if not t["units"]}


def test_merged_cells_in_xlsx_and_docx_keep_their_rows_apart(tmp_path):
    """A merged 序号/工作事项 makes the rows below measures of one task; each row stays a measure."""
    blocks = read_sample("fenggong")
    for path in (write_xlsx(blocks, tmp_path / "f.xlsx"), write_docx(blocks, tmp_path / "f.docx")):
        data = parse_file(path)
        first = data["tasks"][0]
        assert [m["text"] for m in first["measures"]] == [
            "梳理公布政务服务事项目录。", "高频事项网上可办率达到95%以上。", "推进电子证照在企业开办中的应用。",
        ]
        assert first["measures"][2]["units"] == ["市政务服务办", "市市场监管局"]
        assert first["measures"][2]["due"] == "2024-12-31"
        assert [s["number"] for s in data["sections"]] == ["一、", "二、"]


def test_document_with_indicator_and_officials_tables_takes_the_task_table(tmp_path):
    blocks = read_sample("mixed")
    tsv = parse_file(write_tsv(blocks, tmp_path / "mixed.txt"))
    from_docx = parse_file(write_docx(blocks, tmp_path / "mixed.docx"))
    from_xlsx = parse_file(write_xlsx(blocks, tmp_path / "mixed.xlsx"))

    assert tsv["source"] == {"format": "tsv", "table": "第3个表格（共3行）"}
    assert from_docx["source"] == {"format": "docx", "table": "第3个表格（共3行）"}
    assert without_source(from_docx) == without_source(tsv)
    assert from_xlsx["source"] == {"format": "xlsx", "table": "第3个表格（工作表“任务分工”，共3行）"}
    for data in (tsv, from_xlsx):
        assert [t["title"] for t in data["tasks"]] == ["深化行政执法体制改革", "加强行政复议工作", "推进政务公开"]
        assert data["tasks"][0]["units"] == ["区司法局", "区委编办"]
        assert data["tasks"][2]["measures"][0]["recurrence"] == "quarterly"
    assert tsv["title"] == "某区2024年法治政府建设工作要点"
    assert tsv["issuer"] == "某区人民政府办公室"
    assert tsv["issued_on"] == "2024-03-01"


def test_xlsx_numbers_and_dates_in_cells_read_as_written(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    sheet.append(["序号", "任务名称", "责任单位", "完成时限"])
    sheet.append([1, "建立工作专班", "区发展改革委", datetime.datetime(2024, 8, 31)])
    sheet.append([2.0, "出台实施细则", "区财政局", "2024.11"])
    book.save(tmp_path / "numbers.xlsx")
    data = parse_file(tmp_path / "numbers.xlsx")
    assert [(t["number"], t["measures"][0]["due"]) for t in data["tasks"]] == [(1, "2024-08-31"), (2, "2024-11-30")]
    assert data["title"] == "numbers"  # no title anywhere: the file's name


def test_xlsx_unit_merged_over_two_tasks_names_both(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "工作事项", "牵头单位", "完成时限"])
    sheet.append(["1", "开展专项整治", "区城市管理委", "2024年底前"])
    sheet.append(["2", "建立长效机制", None, "2025年底前"])
    sheet.merge_cells("C2:C3")
    sheet.append(["3", "开展评估", "区司法局", "2025年底前"])
    book.save(tmp_path / "merged.xlsx")
    data = parse_file(tmp_path / "merged.xlsx")
    assert [t["lead_units"] for t in data["tasks"]] == [["区城市管理委"], ["区城市管理委"], ["区司法局"]]


def test_hidden_sheets_and_other_tables_in_xlsx_are_skipped(tmp_path):
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "旧版"
    hidden.append(["序号", "工作事项", "牵头单位", "配合单位", "完成时限"])
    hidden.append(["1", "已废止的任务", "区司法局", "区财政局", "2020年底前"])
    hidden.sheet_state = "hidden"
    current = book.create_sheet("分工")
    current.append(["序号", "工作事项", "责任单位"])
    current.append(["1", "现行任务", "区司法局"])
    book.save(tmp_path / "hidden.xlsx")
    data = parse_file(tmp_path / "hidden.xlsx")
    assert [t["title"] for t in data["tasks"]] == ["现行任务"]
    assert data["source"]["table"] == "第1个表格（工作表“分工”，共1行）"


PROSE = """某县推进依法行政工作方案
为推进依法行政，制定本方案。
一、工作任务
1.健全制度。完善重大行政决策程序制度。（责任单位：县司法局）
2.规范执法。开展行政执法案卷评查。（责任单位：县市场监管局）
3.强化监督。落实行政执法监督制度。（责任单位：县司法局）
二、工作要求
各单位要高度重视，认真组织实施。
要加强沟通协调，形成工作合力。
要及时总结经验，报送工作进展。
要加强宣传引导，营造良好氛围。
"""


def _docx_with(tmp_path: Path, paragraphs: str, rows: list[list[str]]) -> Path:
    document = docx.Document()
    for line in paragraphs.strip().split("\n"):
        document.add_paragraph(line)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    path = tmp_path / "both.docx"
    document.save(path)
    return path


def test_docx_with_prose_tasks_and_a_larger_task_table_takes_the_table_and_says_so(tmp_path):
    rows = [["序号", "工作事项", "责任单位", "完成时限"]] + [
        [str(n), f"任务{n}", "县司法局", "2024年底前"] for n in range(1, 6)]
    data = parse_file(_docx_with(tmp_path, PROSE, rows))
    assert data["source"] == {"format": "docx", "table": "第1个表格（共5行）"}
    assert len(data["tasks"]) == 5
    assert {"line": None, "message": "正文中另有3项任务未导入：已按第1个表格（共5行）导入"} in data["warnings"]


def test_docx_whose_prose_holds_more_tasks_than_its_table_takes_the_prose(tmp_path):
    rows = [["序号", "工作事项", "责任单位"], ["1", "附表任务", "县司法局"]]
    data = parse_file(_docx_with(tmp_path, PROSE, rows))
    assert data["source"] == {"format": "docx", "table": None}
    assert [t["title"] for t in data["tasks"]] == ["健全制度", "规范执法", "强化监督"]
    assert any("第1个表格（共1行）也像任务表" in w["message"] for w in data["warnings"])


def test_docx_table_rows_keep_line_numbers_after_the_paragraphs(tmp_path):
    rows = [["序号", "工作事项", "责任单位"], ["1", "有单位的任务", "县司法局"], ["2", "没有单位的任务", ""]]
    data = parse_file(_docx_with(tmp_path, "某县工作台账\n说明：按月更新。", rows))
    assert [t["line"] for t in data["tasks"]] == [4, 5]
    assert {"line": 5, "message": "任务“没有单位的任务”未写明责任单位，请在预览中补填。"} in data["warnings"]


def test_upload_name_gives_the_title_and_the_old_office_hint(tmp_path):
    path = tmp_path / "upload-3f2a"
    path.write_text("序号\t工作事项\t责任单位\n1\t开展培训\t区司法局\n", "utf-8")
    assert parse_file(path, name="培训台账.txt")["title"] == "培训台账"


# -- bad input: one clear Chinese line each ---------------------------------------------------------

def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize("name, content, message", [
    ("empty.txt", b"", "文件是空的"),
    ("blank.txt", b" \r\n\t\n", "文件是空的"),
    ("bom-only.txt", b"\xef\xbb\xbf", "文件是空的"),
    ("image.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "这是一个图片文件（PNG），不是方案文本"),
    ("photo.txt", b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(100), "这是一个图片文件（JPEG），不是方案文本"),
    ("anim.txt", b"GIF89a" + bytes(100), "这是一个图片文件（GIF），不是方案文本"),
    ("scan.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "这是一个 PDF 文件，不能直接导入：请把原文另存为 .docx 或 .txt 后再导入"),
    ("data.bin", bytes(range(256)) * 8, "这是一个二进制文件，不是方案文本：请上传 .docx、.xlsx 或 .txt 文件"),
    ("plan.docx", "一、总体要求\n1.加强领导。（责任单位：区司法局）".encode(), "文件不是有效的 Word（.docx）文档"),
    ("plan.xlsx", b"not a workbook", "文件不是有效的 Excel（.xlsx）工作簿"),
    ("plan.docx", b"PK\x03\x04 truncated zip", "文件不是有效的 Word（.docx）文档"),
    ("plan.xlsx", b"PK\x03\x04 truncated zip", "文件不是有效的 Excel（.xlsx）工作簿"),
    ("old.doc", OLE + "WordDocument".encode("utf-16-le"), "这是旧版 Word（.doc）文件：请在 Word 或 WPS 中另存为 .docx 后再导入"),
    ("old.xls", OLE + "Workbook".encode("utf-16-le"), "这是旧版 Excel（.xls）文件：请在 Excel 或 WPS 中另存为 .xlsx 后再导入"),
    ("rich.doc", b"{\\rtf1\\ansi plan}", "这是 RTF 格式的文件：请在 Word 或 WPS 中另存为 .docx 后再导入"),
    ("page.doc", b"<html><body>plan</body></html>", "这是网页（HTML）格式的文件：请在 Word 或 WPS 中另存为 .docx 后再导入"),
    ("mixed.txt", "方案".encode() + b"\x81\x30\xff\xfe" + "正文".encode("gb18030"),
     "文件的文字编码无法识别：请另存为 UTF-8 或 GBK 编码的文本"),
])
def test_bad_files_raise_one_clear_chinese_line(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PlanImportError) as caught:
        parse_file(path)
    assert str(caught.value) == message


def test_zip_files_that_are_not_office_documents(tmp_path):
    cases = [
        (_zip(tmp_path / "a.docx", {"readme.txt": b"x"}), "文件不是有效的 Word（.docx）文档"),
        (_zip(tmp_path / "a.xlsx", {"readme.txt": b"x"}), "文件不是有效的 Excel（.xlsx）工作簿"),
        (_zip(tmp_path / "b.docx", {"word/document.xml": b"<broken"}), "文件不是有效的 Word（.docx）文档"),
        (_zip(tmp_path / "b.xlsx", {"xl/workbook.xml": b"<broken"}), "文件不是有效的 Excel（.xlsx）工作簿"),
        (_zip(tmp_path / "c.zip", {"plan.txt": b"x"}),
         "这是一个压缩包，不是方案文档：请解压后导入其中的 .docx、.xlsx 或 .txt 文件"),
        (_zip(tmp_path / "d.pptx", {"ppt/presentation.xml": b"x"}),
         "这是 PowerPoint 演示文稿，不能导入：请把方案另存为 .docx、.xlsx 或 .txt"),
    ]
    for path, message in cases:
        with pytest.raises(PlanImportError) as caught:
            parse_file(path)
        assert str(caught.value) == message, path.name


def test_missing_file_folder_and_empty_documents(tmp_path):
    with pytest.raises(PlanImportError, match="^找不到文件："):
        parse_file(tmp_path / "nothing.txt")
    with pytest.raises(PlanImportError, match="^这是一个文件夹，不是文件："):
        parse_file(tmp_path)
    docx.Document().save(tmp_path / "empty.docx")
    with pytest.raises(PlanImportError, match="^Word 文档是空的$"):
        parse_file(tmp_path / "empty.docx")
    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(PlanImportError, match="^工作簿中没有找到任务表"):
        parse_file(tmp_path / "empty.xlsx")


def test_workbook_with_only_an_officials_list_is_not_a_task_table(tmp_path):
    blocks = [("table", [["姓名", "单位", "职务", "联系电话"], ["王明", "区司法局", "科长", "12345678"]])]
    with pytest.raises(PlanImportError, match="^工作簿中没有找到任务表"):
        parse_file(write_xlsx(blocks, tmp_path / "people.xlsx"))
    with pytest.raises(PlanImportError):  # no task table, and no tasks in the text either
        parse_file(write_docx(blocks, tmp_path / "people.docx"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.one_of(
    st.binary(max_size=600),
    st.text(max_size=300).map(lambda t: t.encode("utf-8")),
    st.lists(st.lists(st.sampled_from(["序号", "工作事项", "牵头单位", "具体措施", "^", "", "1", "区司法局",
                                       "2024年底前", "一、总则", "长期坚持", "每季度"]), max_size=6),
             max_size=8).map(lambda rows: "\n".join("\t".join(r) for r in rows).encode("gb18030")),
))
def test_no_input_ends_in_anything_but_a_plan_import_error(tmp_path, caplog, data):
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    try:
        result = parse_file(path)
    except PlanImportError as error:
        assert str(error)
    else:
        assert result["source"]["format"] in ("txt", "tsv")
    # parse_file turns a reader's crash into a PlanImportError and logs it; no input may get there.
    assert not [r for r in caplog.records if r.name == "plans.importer.sources"]


# -- what Word files hold beyond plain paragraphs ----------------------------------------------------

def _numbering(document, fmt: str, text: str) -> str:
    """Add a one-level automatic numbering to the document; return its numId."""
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering = document.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        f'<w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {ns} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return "90"


def _numbered(paragraph, num_id: str) -> None:
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    paragraph._p.get_or_add_pPr().append(parse_xml(
        f'<w:numPr {ns}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))


def test_docx_automatic_numbering_is_read_as_written_numbers(tmp_path):
    document = docx.Document()
    document.add_paragraph("某区推进政务公开工作方案")
    sections = _numbering(document, "chineseCounting", "%1、")
    _numbered(document.add_paragraph("工作任务"), sections)
    for text in ("公开权责清单。按要求动态调整权责清单。（责任单位：区委编办）",
                 "公开执法信息。执法决定于7个工作日内公示。（责任单位：区司法局）"):
        document.add_paragraph(text, style="List Number")
    document.save(tmp_path / "numbered.docx")
    data = parse_file(tmp_path / "numbered.docx")
    assert data["sections"] == [{"number": "一、", "title": "工作任务", "parent": None}]
    assert [(t["number"], t["title"], t["units"]) for t in data["tasks"]] == [
        (1, "公开权责清单", ["区委编办"]), (2, "公开执法信息", ["区司法局"])]


def test_docx_table_with_automatically_numbered_seq_cells(tmp_path):
    document = docx.Document()
    table = document.add_table(rows=4, cols=3)
    for c, text in enumerate(["序号", "任务内容", "责任单位"]):
        table.cell(0, c).text = text
    for r, (content, unit) in enumerate([("修订执法文书范本。", "区司法局"), ("开展执法证件年审。", "区司法局"),
                                         ("更新执法装备。", "区财政局")], start=1):
        table.cell(r, 0).paragraphs[0].style = "List Number"
        table.cell(r, 1).text = content
        table.cell(r, 2).text = unit
    document.save(tmp_path / "auto.docx")
    data = parse_file(tmp_path / "auto.docx")
    assert [(t["number"], t["title"]) for t in data["tasks"]] == [
        (1, "修订执法文书范本"), (2, "开展执法证件年审"), (3, "更新执法装备")]


def test_table_whose_seq_column_is_empty_still_has_one_task_a_row(tmp_path):
    path = tmp_path / "noseq.txt"
    path.write_text("序号\t任务内容\t责任单位\n\t修订执法文书范本。\t区司法局\n\t更新执法装备。\t区财政局\n", "utf-8")
    data = parse_file(path)
    assert [(t["number"], t["title"]) for t in data["tasks"]] == [(None, "修订执法文书范本"), (None, "更新执法装备")]


def test_docx_tracked_changes_read_as_accepted(tmp_path):
    from docx.oxml import parse_xml

    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = docx.Document()
    document.add_paragraph("某区工作台账")
    table = document.add_table(rows=2, cols=3)
    for c, text in enumerate(["序号", "工作事项", "牵头单位"]):
        table.cell(0, c).text = text
    table.cell(1, 0).text = "1"
    table.cell(1, 1).text = "开展"
    cell_p = table.cell(1, 1).paragraphs[0]._p
    cell_p.append(parse_xml(f'<w:ins {ns} w:id="1" w:author="a"><w:r><w:t>专项</w:t></w:r></w:ins>'))
    cell_p.append(parse_xml(f'<w:del {ns} w:id="2" w:author="a"><w:r><w:delText>普通</w:delText></w:r></w:del>'))
    cell_p.append(parse_xml(f'<w:r {ns}><w:t>检查</w:t></w:r>'))
    table.cell(1, 2).text = "区应急局"
    document.save(tmp_path / "tracked.docx")
    assert parse_file(tmp_path / "tracked.docx")["tasks"][0]["title"] == "开展专项检查"


SPLIT = [
    ("p", "某区行政执法监督任务分工"),
    ("p", "一、制度建设"),
    ("table", [["序号", "工作事项", "牵头单位", "完成时限"], ["1", "修订执法监督办法", "区司法局", "2024年底前"]]),
    ("p", "二、队伍建设"),
    ("table", [["序号", "工作事项", "牵头单位", "完成时限"], ["2", "开展执法人员轮训", "区司法局", "2024年9月底前"]]),
    ("table", [["3", "充实法制审核人员", "区委编办", "2025年6月底前"]]),
]


def test_task_table_split_by_headings_and_across_pages_is_read_as_one(tmp_path):
    from_docx = parse_file(write_docx(SPLIT, tmp_path / "split.docx"))
    tsv = parse_file(write_tsv(SPLIT, tmp_path / "split.txt"))
    assert from_docx["source"] == {"format": "docx", "table": "第1、2、3个表格（共3行）"}
    assert [(t["number"], t["title"], t["section"]) for t in from_docx["tasks"]] == [
        (1, "修订执法监督办法", "一、"), (2, "开展执法人员轮训", "二、"), (3, "充实法制审核人员", "二、")]
    assert [s["title"] for s in from_docx["sections"]] == ["制度建设", "队伍建设"]
    assert [t["line"] for t in from_docx["tasks"]] == [4, 7, 8]
    assert tsv["source"] == {"format": "tsv", "table": "第1、2个表格（共3行）"}  # the pages run on in text
    assert without_source(tsv) == without_source(from_docx)


def test_one_column_layout_table_is_read_as_prose(tmp_path):
    document = docx.Document()
    cell = document.add_table(rows=1, cols=1).cell(0, 0)
    cell.text = PROSE.strip().split("\n")[0]
    for line in PROSE.strip().split("\n")[1:]:
        cell.add_paragraph(line)
    document.save(tmp_path / "layout.docx")
    data = parse_file(tmp_path / "layout.docx")
    assert data["source"] == {"format": "docx", "table": None}
    assert [t["title"] for t in data["tasks"]] == ["健全制度", "规范执法", "强化监督"]


def test_prose_indented_with_tabs_is_not_a_table(tmp_path):
    path = tmp_path / "indented.txt"
    path.write_text("\n".join("\t" + line for line in PROSE.strip().split("\n")), "utf-8")
    data = parse_file(path)
    assert data["source"] == {"format": "txt", "table": None}
    assert [t["title"] for t in data["tasks"]] == ["健全制度", "规范执法", "强化监督"]


def test_task_table_with_a_header_and_nothing_under_it(tmp_path):
    header = [["序号", "工作事项", "责任单位", "完成时限"]]
    with pytest.raises(PlanImportError, match="^任务表中没有任务"):
        parse_file(write_xlsx([("table", header)], tmp_path / "header.xlsx"))
    with pytest.raises(PlanImportError, match="^未找到可识别的任务"):  # the text has no tasks either
        parse_file(write_tsv([("table", header)], tmp_path / "header.txt"))


def test_xlsx_with_a_wrong_recorded_size_is_read_whole(tmp_path):
    """Some exporters write <dimension ref="A1:A1"/> whatever the sheet holds."""
    import re

    good = write_xlsx(read_sample("taizhang"), tmp_path / "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bad, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:A1"/>', data)
            target.writestr(item, data)
    assert parse_file(bad) == parse_file(good)


def test_cells_with_line_breaks_copied_from_excel_in_quotes(tmp_path):
    rows = [["序号", "工作事项", "具体措施", "牵头单位", "完成时限"],
            ["1", "完善执法制度", "1．修订执法程序规定。\n2．制定裁量基准。", "区司法局", "2024年底前"],
            ["2", "开展执法评议", "组织群众评议。", "区司法局", "2025年6月底前"]]
    text = "某区执法工作台账\n" + "\n".join(
        "\t".join(f'"{c}"' if "\n" in c else c for c in row) for row in rows) + "\n"
    (tmp_path / "copied.txt").write_text(text, "utf-8")
    tsv = parse_file(tmp_path / "copied.txt")
    from_xlsx = parse_file(write_xlsx([("p", "某区执法工作台账"), ("table", rows)], tmp_path / "copied.xlsx"))
    assert [m["text"] for m in tsv["tasks"][0]["measures"]] == ["修订执法程序规定。", "制定裁量基准。"]
    assert without_source(tsv) == without_source(from_xlsx)


def test_workbook_whose_best_sheet_is_empty_takes_the_next_task_table(tmp_path):
    book = openpyxl.Workbook()
    template = book.active
    template.title = "模板"
    template.append(["序号", "工作事项", "具体措施", "牵头单位", "配合单位", "完成时限"])
    filled = book.create_sheet("台账")
    filled.append(["序号", "工作事项", "牵头单位"])
    filled.append(["1", "开展执法检查", "区市场监管局"])
    book.save(tmp_path / "two.xlsx")
    data = parse_file(tmp_path / "two.xlsx")
    assert data["source"]["table"] == "第2个表格（工作表“台账”，共1行）"
    assert [t["title"] for t in data["tasks"]] == ["开展执法检查"]
