"""Evidence uploads under attack: a set of bad files, each rejected with a clear message naming it, and
nothing stored — no submission, no evidence row, no file on disk.

Files are generated here. Names with path separators or control characters (U+202E included) are checked
by calling the validator with the raw name: Django's multipart parser already cuts paths and strips
non-printable characters before any view sees the name, so over HTTP those names arrive defused (and the
content checks then apply as for every other file).
"""

import functools
import io
import struct
import zlib

import pytest
from django.test import override_settings

from tasks import uploads
from tasks.models import Evidence, Submission
from tests.tasks.conftest import DOCX, JPG, OFD, OLE2, PDF, PNG, XLSX, ZIP, stored_files, upload, zip_bytes

MB = 1024 * 1024


@functools.cache
def zip_bomb(entries: int = 70, entry_size: int = 16 * MB) -> bytes:
    """A valid zip of ``entries`` × 16 MB of zeros: about 1 MB on disk, 1.1 GB declared unpacked."""
    zeros = bytes(entry_size)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(zeros) + packer.flush()
    crc = zlib.crc32(zeros)
    out, central = io.BytesIO(), []
    for i in range(entries):
        name = f"data{i}.bin".encode()
        offset = out.tell()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(packed), entry_size,
                              len(name), 0) + name + packed)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(packed),
                                   entry_size, len(name), 0, 0, 0, 0, 0, offset) + name)
    directory = b"".join(central)
    start = out.tell()
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, entries, entries, len(directory), start, 0))
    return out.getvalue()


HTML = b"<!DOCTYPE html><html><body><script>fetch('/tasks/').then(r=>r.text())</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script>'
       b"</svg>")
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"This program cannot be run in DOS mode"
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 57
PASSWD = b"root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
RAR = b"Rar!\x1a\x07\x01\x00" + b"\x00" * 32

# (id, file name as sent, content, words the message must contain)
BAD_FILES = [
    ("png-as-pdf", "通知.pdf", PNG, "与扩展名“.pdf”不符"),
    ("pdf-as-docx", "报告.docx", PDF, "与扩展名“.docx”不符"),
    ("docx-as-xlsx", "工作台账.xlsx", DOCX, "与扩展名“.xlsx”不符"),
    ("text-as-doc", "方案.doc", "这是一段纯文本，不是Word文档。".encode(), "无法识别文件内容"),
    ("passwd-as-pdf", "passwd.pdf", PASSWD, "无法识别文件内容"),
    ("exe-as-docx", "整改报告.docx", EXE, "可执行程序"),
    ("elf-as-jpg", "现场照片.jpg", ELF, "可执行程序"),
    ("html-script-as-pdf", "检查报告.pdf", HTML, "网页、SVG或脚本"),
    ("svg-script-as-pdf", "示意图.pdf", SVG, "网页、SVG或脚本"),
    ("html-as-png", "截图.png", b"<html><img src=x onerror=alert(1)></html>", "网页、SVG或脚本"),
    ("pdf-html-polyglot", "材料.pdf", b"%PDF-1.4\n<html><script>alert(1)</script></html>", "网页、SVG或脚本"),
    ("empty", "空文件.pdf", b"", "文件为空"),
    ("zip-bomb", "材料汇总.zip", None, "压缩炸弹"),
    ("broken-zip", "损坏.zip", b"PK\x03\x04" + b"\x00" * 40, "已损坏"),
    ("rar-as-zip", "压缩包.zip", RAR, "无法识别文件内容"),
    ("zip-as-ofd", "版式文件.ofd", ZIP, "与扩展名“.ofd”不符"),
    ("exe-extension", "report.pdf.exe", EXE, "不支持的文件类型“.exe”"),
    ("inner-exe", "发票.exe.pdf", PDF, "双重扩展名"),
    ("inner-js", "说明.js.docx", DOCX, "双重扩展名"),
    ("inner-scr", "照片.scr.jpg", JPG, "双重扩展名"),
    ("shell-script", "install.sh", b"#!/bin/sh\nrm -rf /\n", "不支持的文件类型“.sh”"),
    ("no-extension", "佐证材料", PDF, "没有扩展名"),
    ("gif", "动图.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00", "不支持的文件类型“.gif”"),
    ("trailing-dot", "报告.pdf.", PDF, "不能以点或空格结尾"),
    ("long-name", "很长的文件名" * 40 + ".pdf", PDF, "文件名过长"),
]
# Only the validator ever sees these raw names (see the module docstring).
BAD_NAMES = [
    ("path-traversal", "../../etc/passwd.pdf", PDF, "路径"),
    ("windows-path", "..\\..\\Windows\\win.ini.pdf", PDF, "路径"),
    ("absolute-path", "/etc/passwd.pdf", PDF, "路径"),
    ("rlo", "合同\u202efdp.exe", EXE, "控制字符"),
    ("rlo-pdf", "发票\u202egpj.pdf", PDF, "控制字符"),
    ("bell", "报告\x07.pdf", PDF, "控制字符"),
    ("newline", "报告\n.pdf", PDF, "控制字符"),
    ("nul", "报告\x00.pdf.exe", PDF, "控制字符"),
]


def content_of(raw):
    return zip_bomb() if raw is None else raw


def params(cases):
    return [pytest.param(name, raw, words, id=case_id) for case_id, name, raw, words in cases]


@pytest.mark.parametrize("name,raw,words", params(BAD_NAMES))
def test_validator_rejects_dangerous_name(name, raw, words):
    """Checked on the raw name: even Django's UploadedFile would cut the path off."""
    with pytest.raises(ValueError) as exc:
        uploads.check_name(name)
    assert words in str(exc.value)


@pytest.mark.parametrize("name,raw,words", params(BAD_FILES))
def test_validator_rejects_bad_file(name, raw, words):
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_files([upload(name, content_of(raw))])
    (message,) = exc.value.messages
    assert words in message
    assert message.startswith(f"文件“{uploads.shown_name(name)}”未能上传")


@pytest.mark.parametrize("name,raw,words", params(BAD_FILES))
def test_bad_file_is_rejected_by_the_submit_page_and_nothing_is_stored(cast, login, media_root, name, raw, words):
    assignment = cast.finance_assignment
    response = login(cast.finance_user).post(
        f"/tasks/assignments/{assignment.pk}/submit/",
        {"text": "已完成年度培训，附签到表。", "percent": "80", "files": [upload("签到表.pdf", PDF),
                                                                     upload(name, content_of(raw))]},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page and "报送未保存" in page
    assert "已完成年度培训，附签到表。" in page and 'value="80"' in page  # the rest of the form is kept
    assert not Submission.objects.exists() and not Evidence.objects.exists()
    assert stored_files(media_root) == []
    assignment.refresh_from_db()
    assert assignment.status == "not_started"


@pytest.mark.parametrize("name,content", [
    ("检查报告.pdf", PDF), ("现场照片.jpg", JPG), ("现场照片.JPEG", JPG), ("截图.png", PNG), ("台账.xlsx", XLSX),
    ("整改报告.docx", DOCX), ("会议纪要.doc", OLE2), ("统计表.xls", OLE2), ("通知.wps", OLE2), ("公文.ofd", OFD),
    ("材料汇总.zip", ZIP), ("整改报告.docx.zip", DOCX), ("2024.06.30 培训记录.pdf", PDF),
])
def test_allowed_types_pass(name, content):
    (checked,) = uploads.check_files([upload(name, content)])
    assert checked.size == len(content) and len(checked.sha256) == 64


@override_settings(UPLOAD_MAX_FILE_MB=1)
def test_file_over_the_size_limit_is_rejected(cast, login, media_root):
    big = PDF + b"0" * (MB + 1)
    response = login(cast.finance_user).post(
        f"/tasks/assignments/{cast.finance_assignment.pk}/submit/",
        {"text": "进展", "percent": "50", "files": [upload("扫描件.pdf", big)]})
    assert "文件“扫描件.pdf”未能上传：文件大小 1.0 MB，超过单个文件上限 1 MB" in response.content.decode()
    assert not Evidence.objects.exists() and stored_files(media_root) == []


@override_settings(UPLOAD_MAX_FILE_MB=1, UPLOAD_MAX_SUBMISSION_MB=1)
def test_submission_over_the_total_limit_is_rejected(cast, login, media_root):
    part = PDF + b"0" * (MB // 2 + 10)
    response = login(cast.finance_user).post(
        f"/tasks/assignments/{cast.finance_assignment.pk}/submit/",
        {"text": "进展", "percent": "50", "files": [upload("一.pdf", part), upload("二.pdf", part)]})
    page = response.content.decode()
    assert "本次上传的文件合计超过每次报送上限 1 MB，未保存" in page and 'value="50"' in page
    assert not Submission.objects.exists() and stored_files(media_root) == []


@override_settings(UPLOAD_MAX_SUBMISSION_MB=1)
def test_oversized_request_is_cut_off_while_it_is_read(cast, login, media_root, monkeypatch):
    """Past the limit the remaining bytes are discarded unread by any handler: nothing is spooled to disk."""
    from tasks.uploads import SubmissionSizeLimit

    seen = []
    real = SubmissionSizeLimit.receive_data_chunk

    def spy(self, raw_data, start):
        seen.append(len(raw_data))
        return real(self, raw_data, start)

    monkeypatch.setattr(SubmissionSizeLimit, "receive_data_chunk", spy)
    huge = PDF + b"0" * (8 * MB)
    response = login(cast.finance_user).post(
        f"/tasks/assignments/{cast.finance_assignment.pk}/submit/",
        {"text": "保留的说明", "percent": "30", "files": [upload("扫描件.pdf", huge)]})
    page = response.content.decode()
    assert "超过每次报送上限 1 MB" in page and "保留的说明" in page
    assert MB < sum(seen) < 2 * MB
    assert not Submission.objects.exists() and stored_files(media_root) == []


def test_every_bad_file_is_named_when_several_are_bad(cast, login):
    response = login(cast.finance_user).post(
        f"/tasks/assignments/{cast.finance_assignment.pk}/submit/",
        {"text": "进展", "percent": "50", "files": [upload("一.pdf", PNG), upload("二.exe", EXE)]})
    page = response.content.decode()
    assert "文件“一.pdf”未能上传" in page and "文件“二.exe”未能上传" in page


def test_a_failure_while_storing_removes_the_files_already_written(cast, media_root, monkeypatch):
    """All or nothing even when the disk or database fails half-way: no rows and no files remain."""
    checked = uploads.check_files([upload("一.pdf", PDF), upload("二.jpg", JPG)])
    real_save, calls = Evidence.save, []

    def failing_save(self, *args, **kwargs):
        calls.append(self.original_name)
        if len(calls) == 2:
            raise OSError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Evidence, "save", failing_save)
    with pytest.raises(OSError):
        uploads.save_submission(cast.finance_assignment, author=cast.finance_user, text="进展", percent=50,
                                files=checked, today=cast.finance_assignment.due_on)
    assert not Submission.objects.exists() and not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_zip_is_stored_as_it_is(cast, submit_with, media_root):
    submission = submit_with(cast.finance_assignment, cast.finance_user, files=[("材料汇总.zip", ZIP)])
    evidence = submission.evidence.get()
    (path,) = stored_files(media_root)
    assert path.read_bytes() == ZIP and evidence.content_type == "application/zip"


def test_small_zip_with_high_ratio_is_accepted():
    """Compressible documents are not bombs: only an enormous declared size is refused."""
    (checked,) = uploads.check_files([upload("日志.zip", zip_bytes({"log.txt": b"0" * (5 * MB)}))])
    assert checked.content_type == "application/zip"


# What ``filetype`` does not recognise is checked by the module itself (see uploads.detect).
MACHO = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01\x03\x00\x00\x00" + b"\x00" * 52
SCRIPT = b"#!/usr/bin/env python3\nimport os\nos.system('rm -rf /')\n"
# Word writes these parts before word/: filetype, which reads only the first entries, calls this a zip.
LONG_DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<Relationships/>",
                       "docProps/app.xml": b"<Properties/>", "docProps/core.xml": b"<coreProperties/>",
                       "customXml/item1.xml": b"<b:Sources/>", "word/document.xml": b"<w:document/>"})


@pytest.mark.parametrize("name,raw,words", [
    pytest.param("照片.pdf", MACHO, "可执行程序", id="macho-as-pdf"),
    pytest.param("说明.pdf", SCRIPT, "可执行程序", id="script-as-pdf"),
    pytest.param("报告.pdf", LONG_DOCX, "文件内容是Word文档（DOCX），与扩展名“.pdf”不符", id="long-docx-as-pdf"),
])
def test_content_filetype_does_not_know_is_still_recognised(name, raw, words):
    with pytest.raises(uploads.UploadRejected) as exc:
        uploads.check_files([upload(name, raw)])
    assert words in exc.value.messages[0]


def test_a_docx_is_recognised_by_its_parts_wherever_they_are_in_the_archive():
    (checked,) = uploads.check_files([upload("整改报告.docx", LONG_DOCX)])
    assert checked.content_type == uploads.ALLOWED["docx"][1]
