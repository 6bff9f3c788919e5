"""Helpers for the work pages: real small files of each allowed type, an isolated MEDIA_ROOT,
and a way to make submissions with evidence."""

import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tasks import uploads

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00" + b"\x00" * 32
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
OFD = zip_bytes({"OFD.xml": b"<ofd:OFD/>", "Doc_0/Document.xml": b"<ofd:Document/>"})
ZIP = zip_bytes({"照片/现场检查.jpg": JPG, "说明.txt": "检查记录".encode()})


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Each test stores evidence in its own empty folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def submit_with(cast):
    """submit_with(assignment, user, files=[(name, bytes)], percent=..., text=...) -> Submission."""

    def _submit(assignment, user, files=(("进展材料.pdf", PDF),), percent=50, text="已完成部分培训。"):
        checked = uploads.check_files([upload(n, c) for n, c in files])
        return uploads.save_submission(assignment, author=user, text=text, percent=percent, files=checked,
                                       today=timezone.localdate())

    return _submit


FROZEN = "2024-06-20 10:00:00+08:00"


@pytest.fixture
def frozen():
    """Beijing time 2024年6月20日 10:00, ten days before the cast's measure falls due."""
    with time_machine.travel(FROZEN, tick=False) as traveller:
        yield traveller
