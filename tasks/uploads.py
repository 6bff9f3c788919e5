"""Evidence uploads: every file is checked by its content before anything is written.

Allowed: pdf, ofd, doc, docx, wps, xls, xlsx, jpg, png, zip. The type is read from the bytes (magic numbers
through ``filetype`` where it knows them, the zip directory) and the extension must agree with it. Names with
path separators, control or direction characters (U+202E) or an executable inner extension are refused,
and so are empty and oversized files and archives that declare an enormous unpacked size (zip bombs).
Zips are stored as they are and never unpacked. Files are stored under MEDIA_ROOT with generated names;
the row keeps the original name, size, type and sha256. All or nothing: one bad file and nothing is stored.
"""

import hashlib
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import IO

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.db import transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile

from tasks.models import PREVIEWABLE_TYPES, Assignment, Evidence, Submission

MB = 1024 * 1024
MAX_NAME_LENGTH = 200
# A zip whose entries declare more than this many bytes unpacked, and more than ZIP_BOMB_RATIO times its
# own size, is a zip bomb even though we never unpack it: some reader down the line would.
ZIP_BOMB_BYTES = 1024 * MB
ZIP_BOMB_RATIO = 100

PDF, OFD, OLE2, DOCX, XLSX, JPEG, PNG, ZIP = "pdf", "ofd", "ole2", "docx", "xlsx", "jpeg", "png", "zip"
ZIP_FAMILY = {OFD, DOCX, XLSX, ZIP}

# extension -> (content kinds that may carry it, content type served on download)
ALLOWED = {
    "pdf": ({PDF}, "application/pdf"),
    "ofd": ({OFD}, "application/ofd"),
    "doc": ({OLE2}, "application/msword"),
    "wps": ({OLE2}, "application/vnd.ms-works"),
    "xls": ({OLE2}, "application/vnd.ms-excel"),
    "docx": ({DOCX}, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ({XLSX}, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": ({JPEG}, "image/jpeg"),
    "jpeg": ({JPEG}, "image/jpeg"),
    "png": ({PNG}, "image/png"),
    "zip": (ZIP_FAMILY, "application/zip"),
}
ALLOWED_LABEL = "PDF、OFD、DOC、DOCX、WPS、XLS、XLSX、JPG、PNG、ZIP"
# The file picker's accept attribute: the allowed extensions and their types (a phone then offers its camera too).
ACCEPT = ",".join([*(f".{ext}" for ext in ALLOWED), *sorted({content_type for _, content_type in ALLOWED.values()})])
KIND_LABEL = {PDF: "PDF文档", OFD: "OFD版式文档", OLE2: "Office 97-2003/WPS文档", DOCX: "Word文档（DOCX）",
              XLSX: "Excel表格（XLSX）", JPEG: "JPG图片", PNG: "PNG图片", ZIP: "ZIP压缩包"}
EXECUTABLE = {"exe", "com", "bat", "cmd", "scr", "pif", "cpl", "msi", "msp", "dll", "sys", "lnk", "hta",
              "js", "jse", "vbs", "vbe", "wsf", "wsh", "ps1", "psm1", "jar", "sh", "bash", "py", "pl",
              "php", "asp", "aspx", "jsp", "cgi", "html", "htm", "xhtml", "svg", "shtml", "apk", "app",
              "reg", "inf", "scf", "url", "chm"}
# Markup a browser would run if it ever rendered the file (an HTML or SVG page renamed .pdf).
MARKUP = (b"<html", b"<!doctype html", b"<script", b"<svg", b"<iframe", b"<body", b"javascript:")
# filetype's names for the kinds it recognises, and for programs (MZ and ELF).
FILETYPE_KINDS = {"application/pdf": PDF, "image/jpeg": JPEG, "image/png": PNG, "image/apng": PNG}
EXECUTABLE_TYPES = {"application/x-msdownload", "application/x-executable"}
# What filetype does not know: scripts and Mach-O programs (fat, 64- and 32-bit), the OLE2 container.
SCRIPT_OR_MACHO = (b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe")
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UploadRejected(Exception):
    """One or more files refused; ``messages`` are ready to show, each naming its file."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("；".join(messages))


@dataclass
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str


def shown_name(name: str) -> str:
    """The name as it can be shown safely: invisible and control characters spelled out."""
    return "".join(
        f"[U+{ord(ch):04X}]" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in name
    )


def check_name(name: str) -> str:
    """The lower-case extension of an acceptable name; raises ValueError with the reason otherwise."""
    if not name or not name.strip():
        raise ValueError("文件名为空")
    if "/" in name or "\\" in name or name in (".", ".."):
        raise ValueError("文件名中含有路径（如 ../ 或 /），不能上传")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise ValueError("文件名中含有控制字符或不可见的方向控制字符（如 U+202E），请改名后上传")
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"文件名过长（超过{MAX_NAME_LENGTH}个字符），请改名后上传")
    if name != name.rstrip(". "):
        raise ValueError("文件名不能以点或空格结尾")
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower()
    if not dot or not stem.strip(" ."):
        raise ValueError(f"文件没有扩展名，只能上传 {ALLOWED_LABEL} 文件")
    if ext not in ALLOWED:
        raise ValueError(f"不支持的文件类型“.{ext}”，只能上传 {ALLOWED_LABEL} 文件")
    inner = [part.lower() for part in stem.split(".")[1:]]
    bad = [part for part in inner if part.strip() in EXECUTABLE]
    if bad:
        raise ValueError(f"文件名含有可执行文件的扩展名“.{bad[-1]}”（双重扩展名），不能上传")
    return ext


def _zip_kind(upload: UploadedFile, size: int) -> str:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        raise ValueError("压缩格式的文件已损坏，无法读取") from None
    unpacked = sum(info.file_size for info in infos)
    if unpacked > ZIP_BOMB_BYTES and unpacked > ZIP_BOMB_RATIO * size:
        raise ValueError(
            f"压缩包解压后达 {unpacked // MB} MB，是文件本身的 {unpacked // max(size, 1)} 倍，"
            "疑似“压缩炸弹”，不能上传"
        )
    names = {info.filename for info in infos}
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return DOCX
        if any(n.startswith("xl/") for n in names):
            return XLSX
    if "OFD.xml" in names:
        return OFD
    return ZIP


def detect(upload: UploadedFile, size: int) -> str:
    """What the bytes are; raises ValueError for anything that is not an allowed document or image.

    ``filetype`` names PDF, JPEG, PNG and Windows (MZ) and Linux (ELF) programs by their magic numbers.
    Checked here because filetype cannot: scripts (#!) and Mach-O programs; HTML, SVG and script markup (it
    reads no text); the OLE2 container of .doc/.xls/.wps (its matchers know some Word and Excel files only,
    no WPS); and the zip family, read from the archive's directory (OFD, which it does not know; DOCX and
    XLSX by their parts anywhere in the archive, where it looks at the first four entries; the unpacked size).
    """
    upload.seek(0)
    head = upload.read(8192)
    guessed = filetype.guess(head)
    mime = guessed.mime if guessed else None
    if mime in EXECUTABLE_TYPES or head.startswith(SCRIPT_OR_MACHO):
        raise ValueError("文件内容是可执行程序或脚本，不能上传")
    lowered = head[:1024].lower().lstrip()
    if any(marker in lowered for marker in MARKUP):
        raise ValueError("文件内容是网页、SVG或脚本，不能上传")
    if mime in FILETYPE_KINDS:
        return FILETYPE_KINDS[mime]
    if head.startswith(OLE2_MAGIC):
        return OLE2
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload, size)
    raise ValueError(f"无法识别文件内容，只能上传 {ALLOWED_LABEL} 文件")


# What a previewed file may do in the browser: nothing but be shown (no script, no form, no other origin; a
# sandboxed PDF or image still opens in Chromium's viewers).
PREVIEW_POLICY = "sandbox; default-src 'none'; img-src 'self'"


def preview_type(stored: IO[bytes]) -> str | None:
    """The content type to show a stored file in place as, read from its bytes (a PDF, a JPEG, a PNG); None for
    anything else, which is downloaded. Leaves the file at its start."""
    head = stored.read(8192)
    stored.seek(0)
    guessed = filetype.guess(head)
    return guessed.mime if guessed and guessed.mime in PREVIEWABLE_TYPES else None


def _sha256(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def check_file(upload: UploadedFile) -> CheckedFile:
    """Check one file by its name, size and content; raises ValueError with the reason."""
    ext = check_name(upload.name or "")
    size = upload.size or 0
    if size == 0:
        raise ValueError("文件为空（0 字节）")
    limit = settings.UPLOAD_MAX_FILE_MB
    if size > limit * MB:
        raise ValueError(f"文件大小 {size / MB:.1f} MB，超过单个文件上限 {limit} MB")
    kind = detect(upload, size)
    kinds, content_type = ALLOWED[ext]
    if kind not in kinds:
        raise ValueError(f"文件内容是{KIND_LABEL[kind]}，与扩展名“.{ext}”不符")
    return CheckedFile(upload=upload, name=upload.name, content_type=content_type, size=size,
                       sha256=_sha256(upload))


def check_files(uploads: list[UploadedFile]) -> list[CheckedFile]:
    """Check every file; raises UploadRejected naming each bad file (and the total when it is too large)."""
    checked, messages = [], []
    for upload in uploads:
        try:
            checked.append(check_file(upload))
        except ValueError as exc:
            messages.append(f"文件“{shown_name(upload.name or '')}”未能上传：{exc}。")
    if sum(upload.size or 0 for upload in uploads) > settings.UPLOAD_MAX_SUBMISSION_MB * MB:
        messages.append(too_large_message())
    if messages:
        raise UploadRejected(messages)
    return checked


def too_large_message() -> str:
    return (f"本次上传的文件合计超过每次报送上限 {settings.UPLOAD_MAX_SUBMISSION_MB} MB，未保存；"
            "请分次报送或压缩后上传。")


class SubmissionSizeLimit(FileUploadHandler):
    """Stops taking files once a request passes the submission limit, instead of spooling it all to disk.

    The fields sent before the files (text, percent) are still parsed, so the form can be shown again.
    """

    def __init__(self, request=None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_MAX_SUBMISSION_MB * MB:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def store(files: list[CheckedFile], row: Callable[..., Model], written: list[FieldFile]) -> list[Model]:
    """Write the files under generated names, each with its row made by ``row(**fields)`` (an Evidence, a
    ReplyFile); ``written`` collects the stored files."""
    rows = []
    for checked in files:
        stored = row(original_name=checked.name, size=checked.size, sha256=checked.sha256,
                     content_type=checked.content_type)
        checked.upload.seek(0)
        stored.file.save(checked.name, checked.upload, save=False)
        written.append(stored.file)
        stored.save()
        rows.append(stored)
    return rows


@contextmanager
def all_or_nothing() -> Iterator[list[FieldFile]]:
    """A transaction that stores files: yields the list ``store`` fills. When anything fails, the rows roll
    back and the files already written are removed again, so nothing is left behind."""
    written: list[FieldFile] = []
    try:
        with transaction.atomic():
            yield written
    except BaseException:
        for stored in written:
            stored.storage.delete(stored.name)
        raise


def save_submission(assignment: Assignment, *, author, text: str, percent: int, files: list[CheckedFile],
                    today, **figures) -> Submission:
    """The submission (with the figures ``Assignment.submit`` takes), its evidence and the assignment's new
    status, all or nothing."""
    return save_submissions([(assignment, percent, figures)], author=author, text=text, files=files, today=today)[0]


def save_submissions(items: list[tuple[Assignment, int, dict]], *, author, text: str, files: list[CheckedFile],
                     today) -> list[Submission]:
    """One report on several items (批量报送): each (assignment, percent, figures) gets its own submission and
    its own copy of every evidence file (so each is checked, served and kept on its own), all or nothing."""
    submissions = []
    with all_or_nothing() as written:
        for assignment, percent, figures in items:
            submission = assignment.submit(author, text, percent, today, **figures)
            store(files, partial(Evidence, submission=submission), written)
            submissions.append(submission)
    return submissions
