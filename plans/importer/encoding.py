"""Text files as Chinese offices save them: UTF-8 (with or without a byte order mark) or GB18030 (GBK)."""

import codecs


def decode_text(data: bytes) -> str:
    """The text of a UTF-8 or GB18030 file; UnicodeDecodeError when it is neither."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")
