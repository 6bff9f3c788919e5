"""The .docx of a letter or circular, for offices that finish documents in WPS or Word.

One source for both formats: the .docx is read from the HTML that the PDF is typeset from
(templates/pdf/letter.html, circular.html, annual.html), block by block by the class each block carries, and written with the
same GB/T 9704 settings: A4, 版心 156 × 225 mm, 3号 (16 pt) body on a 28.95 pt line, 2号 title, 黑体/楷体 headings, the
red masthead over a red double rule, the unsealed signature, 附注, the attached table on a new page and the 版记 in
4号 between rules. Word has no shrink-to-fit block, so the signature's offsets are worked out here from the widths of
the two lines (`sign_indents`)."""

import io
import re
import unicodedata
from html.parser import HTMLParser
from typing import NamedTuple

from docx import Document
from docx.enum.section import WD_SECTION_START
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from tracker.pdf import render_html

# the faces offices have for the standard's 仿宋, 小标宋, 黑体 and 楷体 (Word falls back where one is missing)
FANGSONG, XIAOBIAOSONG, HEITI, KAITI = "仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"
RED = RGBColor(0xC0, 0x00, 0x00)
LINE = Pt(28.95)  # 225 mm / 22 lines
CHAR = 16  # pt, one 3号 character
# a paragraph's properties that come after its w:pBdr (ECMA-376 CT_PPr), an order Word insists on
AFTER_BORDERS = ("w:shd", "w:tabs",
             "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE",
             "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind",
             "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection",
             "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
             "w:pPrChange")


class Table(NamedTuple):
    """A table's cells' text by row, its columns' widths in percent (its colgroup's, empty when it has none) and each
    cell's class ("c" centred, "num" set right, as the PDF sets them)."""

    rows: list[list[str]]
    widths: list[float]
    classes: list[list[str]]


class Blocks(HTMLParser):
    """The body's blocks in order: (class, text) for each paragraph, ("table", Table) for a table. A paragraph's
    class is its own or its block's (the title's lines, the signature's, the 版记's)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, object]] = []
        self.divs: list[str] = []
        self.current: tuple[str, list[str]] | None = None
        self.rows: list[list[str]] | None = None
        self.widths: list[float] = []
        self.classes: list[list[str]] = []
        self.cell: list[str] | None = None
        self.in_body = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        cls = attrs.get("class") or ""
        if tag == "body":
            self.in_body = True
        elif tag == "div":
            self.divs.append(cls)
        elif tag == "p":
            self.current = (cls or (self.divs[-1] if self.divs else ""), [])
        elif tag == "span" and self.current is not None and self.current[1]:
            self.current[1].append("\t")  # 印发机关 … 印发日期
        elif tag == "table":
            self.rows, self.widths, self.classes = [], [], []
        elif tag == "col" and self.rows is not None:
            width = re.search(r"width:\s*([\d.]+)%", attrs.get("style") or "")
            if width:
                self.widths.append(float(width.group(1)))
        elif tag == "tr" and self.rows is not None:
            self.rows.append([])
            self.classes.append([])
        elif tag in ("td", "th"):
            self.cell = []
            if self.classes:
                self.classes[-1].append(cls)

    def handle_endtag(self, tag):
        if tag == "div" and self.divs:
            self.divs.pop()
        elif tag == "p" and self.current is not None:
            self.blocks.append((self.current[0], "".join(self.current[1]).strip()))
            self.current = None
        elif tag in ("td", "th") and self.cell is not None and self.rows:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table" and self.rows is not None:
            self.blocks.append(("table", Table(self.rows, self.widths, self.classes)))
            self.rows = None

    def handle_data(self, data):
        if not self.in_body:
            return
        if self.cell is not None:
            self.cell.append(data)
        elif self.current is not None:
            self.current[1].append(data)


def blocks_of(html: str) -> list[tuple[str, object]]:
    parser = Blocks()
    parser.feed(html)
    return parser.blocks


def width_in_chars(text: str) -> float:
    """Full-width characters count 1, half-width (digits, Latin) ½."""
    return sum(1 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


def sign_indents(signer: str, date: str) -> tuple[float, float]:
    """Right indents (in characters) of the 署名 and the date, unsealed (GB/T 9704 7.3.5.2): the 署名 right-indented
    二字 and the date starting two characters right of it; when the date is the longer, it is right-indented 二字."""
    signer_w, date_w = width_in_chars(signer), width_in_chars(date)
    if 2 + date_w <= signer_w:
        return 2, 2 + signer_w - 2 - date_w
    return 2 + date_w + 2 - signer_w, 2


def set_font(run, face: str, size: float, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = face
    run.font.size = Pt(size)
    run.font.bold = bold
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)
    if color is not None:
        run.font.color.rgb = color


def border(paragraph, side: str, *, val: str = "single", size: int = 8, color: str = "000000") -> None:
    """A rule along one side of a paragraph (size in eighths of a point); top before bottom, as Word reads them."""
    ppr = paragraph._p.get_or_add_pPr()
    borders = ppr.find(qn("w:pBdr"))
    if borders is None:
        borders = OxmlElement("w:pBdr")
        ppr.insert_element_before(borders, *AFTER_BORDERS)
    edge = OxmlElement(f"w:{side}")
    for key, value in (("val", val), ("sz", str(size)), ("space", "1"), ("color", color)):
        edge.set(qn(f"w:{key}"), value)
    borders.append(edge)


def page_number_footer(section, *, first_page: bool) -> None:
    """— N — below the 版心, 4号; on page 1 too unless it is in the 信函格式 (a masthead: ``first_page`` False)."""
    section.different_first_page_header_footer = not first_page
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(paragraph.add_run("— "), FANGSONG, 14)
    run = paragraph.add_run()
    set_font(run, FANGSONG, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            field = OxmlElement("w:fldChar")
            field.set(qn("w:fldCharType"), kind)
        else:
            field = OxmlElement("w:instrText")
            field.text = text
        run._r.append(field)
    set_font(paragraph.add_run(" —"), FANGSONG, 14)


def paragraph(doc, text: str, *, face: str = FANGSONG, size: float = 16, indent: float = 0,
              align=WD_ALIGN_PARAGRAPH.JUSTIFY, bold: bool = False, color: RGBColor | None = None,
              before: float = 0, keep: bool = False):
    p = doc.add_paragraph()
    fmt = p.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE if size >= 16 else Pt(size * 1.45)
    fmt.space_before, fmt.space_after = Pt(before), Pt(0)
    fmt.first_line_indent = Pt(indent * size)
    fmt.keep_with_next = keep
    fmt.widow_control = True
    p.alignment = align
    set_font(p.add_run(text), face, size, bold=bold, color=color)
    return p


def letter_format_page_one(section, masthead: str) -> None:
    """信函格式 (10.1) on page 1 only, in its own header and footer: the red masthead with its top 30 mm from the top
    of the page over a red double rule (thick over thin) 4 mm below it, and a red double rule (thin over thick) 20 mm
    above the bottom of the page, both 170 mm long (7 mm beyond the 版心 on each side)."""
    for part, side, val in ((section.first_page_header, "bottom", "thickThinSmallGap"),
                            (section.first_page_footer, "top", "thinThickSmallGap")):
        for empty in part.paragraphs:
            empty._p.getparent().remove(empty._p)
        p = paragraph(part, masthead if side == "bottom" else "", face=XIAOBIAOSONG, size=26 if side == "bottom" else 2,
                      align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
        p.paragraph_format.line_spacing = Pt(26 if side == "bottom" else 2)
        p.paragraph_format.left_indent = p.paragraph_format.right_indent = Mm(-7)
        border(p, side, val=val, size=24, color="C00000")
        p._p.get_or_add_pPr().find(qn("w:pBdr"))[0].set(qn("w:space"), "11" if side == "bottom" else "0")


def document_docx(template_name: str, context: dict) -> bytes:
    """The .docx of the document the template typesets with this context: the same text as its PDF."""
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(30), Mm(20)
    blocks = blocks_of(render_html(template_name, context))
    page_number_footer(section, first_page=not any(cls == "masthead" for cls, _ in blocks))
    signer = next((text for cls, text in blocks if cls == "signer"), "")
    date = next((text for cls, text in blocks if cls == "date"), "")
    signer_indent, date_indent = sign_indents(signer, date)
    previous = ""
    for cls, content in blocks:
        if cls == "table":
            table_block(doc, content)
        elif cls == "masthead":
            letter_format_page_one(section, content)
        elif cls == "docno":
            paragraph(doc, content, align=WD_ALIGN_PARAGRAPH.RIGHT, before=8)
        elif cls == "preview-mark":
            paragraph(doc, content, face=HEITI, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
        elif cls == "title":
            paragraph(doc, content, face=XIAOBIAOSONG, size=22, align=WD_ALIGN_PARAGRAPH.CENTER,
                      before=0 if previous in ("title", "") else 28.95)  # a document without a masthead opens with it
        elif cls == "to":
            paragraph(doc, content, before=28.95)
        elif cls == "h1":
            paragraph(doc, content, face=HEITI, indent=2, keep=True)
        elif cls == "att-label":  # 附件 starts a new page (7.3.7)
            paragraph(doc, content, face=HEITI, keep=True).paragraph_format.page_break_before = True
        elif cls == "h2":
            paragraph(doc, content, face=KAITI, indent=2, keep=True)
        elif cls in ("para", "item", "note"):
            paragraph(doc, content, indent=2)
        elif cls == "attach-note":
            paragraph(doc, content, indent=2, before=28.95, keep=True)
        elif cls == "signer":
            p = paragraph(doc, content, align=WD_ALIGN_PARAGRAPH.RIGHT, before=28.95, keep=True)
            p.paragraph_format.right_indent = Pt(signer_indent * CHAR)
        elif cls == "date":
            p = paragraph(doc, content, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(date_indent * CHAR)
        elif cls == "att-title":
            p = paragraph(doc, content, face=XIAOBIAOSONG, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, before=28.95)
            p.paragraph_format.space_after = Pt(14)
        elif cls == "att-note":  # a note under the attached table, in its size
            paragraph(doc, content, size=12, align=WD_ALIGN_PARAGRAPH.LEFT, before=6)
        elif cls in ("copy", "issued"):
            banji_line(doc, cls, content, after_copy=previous == "copy")
        previous = cls
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


CELL_ALIGN = {"c": WD_ALIGN_PARAGRAPH.CENTER, "num": WD_ALIGN_PARAGRAPH.RIGHT}


def table_block(doc, block: Table) -> None:
    """The table across the 版心, its columns as wide as the PDF's (when it says), the header row centred in 黑体 and
    repeated on every page, a cell centred or set right as in the PDF."""
    rows = block.rows
    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = [Mm(156 * w / 100) for w in block.widths] if len(block.widths) == len(rows[0]) else []
    if widths:
        table.autofit = False
    for n, values in enumerate(rows):
        cells = table.add_row().cells
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            cls = block.classes[n][i] if i < len(block.classes[n]) else ""
            cell.paragraphs[0].alignment = (WD_ALIGN_PARAGRAPH.CENTER if n == 0
                                            else CELL_ALIGN.get(cls, WD_ALIGN_PARAGRAPH.LEFT))
            set_font(cell.paragraphs[0].add_run(value), HEITI if n == 0 else FANGSONG, 12)
            if widths:
                cell.width = widths[i]
    header = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header.append(repeat)


def banji_line(doc, cls: str, text: str, *, after_copy: bool = False) -> None:
    """版记 (7.4): 4号, indented 一字 each side; a thick rule above 抄送, a thin one under it, a thick one under the 印发
    line, which has the 印发机关 left and the 印发日期 right. (It follows the text: a frame at the foot of the page is
    not kept by every word processor.)"""
    p = paragraph(doc, text, size=14, align=WD_ALIGN_PARAGRAPH.LEFT, keep=cls == "copy")
    fmt = p.paragraph_format
    fmt.left_indent = fmt.right_indent = Pt(14)
    if cls == "copy":
        fmt.first_line_indent, fmt.left_indent = Pt(-42), Pt(14 + 42)  # wrapped lines align after 抄送：
        border(p, "top", size=8)
        border(p, "bottom", size=4)
    else:
        fmt.tab_stops.add_tab_stop(Mm(156) - Pt(28), alignment=WD_TAB_ALIGNMENT.RIGHT)
        if not after_copy:
            border(p, "top", size=8)
        border(p, "bottom", size=8)
