"""Numbers as plans write them: full-width digits and Chinese numerals."""

import re

CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUMERAL = "〇○零一二两三四五六七八九十百千"

_FULLWIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)})
_CN_YEAR = re.compile(r"([〇○零Ｏ一二三四五六七八九]{4})(?=年)")
_CN_MONTH_DAY = re.compile(r"(?<=\d年)([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})日)?")


def cn_to_int(text: str) -> int | None:
    """二十三 -> 23, 十五 -> 15, 一〇 -> 10 (digit by digit), 12 -> 12; None when not a number."""
    text = text.translate(_FULLWIDTH)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if any(ch not in CN_DIGITS and ch not in CN_UNITS for ch in text):
        return None
    if not any(ch in CN_UNITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + CN_DIGITS[ch]
        return value
    total, current = 0, 0
    for ch in text:
        if ch in CN_DIGITS:
            current = CN_DIGITS[ch]
        else:
            total += (current or 1) * CN_UNITS[ch]
            current = 0
    return total + current


def ascii_digits(text: str) -> str:
    """Full-width digits to ASCII; dates in Chinese numerals (二〇二四年六月十四日) to Arabic ones."""
    text = text.translate(_FULLWIDTH)
    text = _CN_YEAR.sub(lambda m: str(cn_to_int(m.group(1))), text)

    def month_day(m: re.Match) -> str:
        out = f"{cn_to_int(m.group(1))}月"
        if m.group(2):
            out += f"{cn_to_int(m.group(2))}日"
        return out

    return _CN_MONTH_DAY.sub(month_day, text)
