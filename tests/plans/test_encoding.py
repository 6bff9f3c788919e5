"""decode_text: the one reading of UTF-8 and GB18030 files, shared by plan files and the unit directory."""

import pytest

from plans.importer.encoding import decode_text

TEXT = "某区2024年法治政府建设工作要点：区司法局牵头"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_utf8_with_or_without_bom_and_gb18030_read_the_same(encoding):
    assert decode_text(TEXT.encode(encoding)) == TEXT


def test_bytes_in_neither_encoding_raise_unicode_decode_error():
    with pytest.raises(UnicodeDecodeError):
        decode_text(b"\x81\x30\xff\xfe")
