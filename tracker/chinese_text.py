"""Chinese text as official documents print it: full-width punctuation, nested book-title marks, list numbers that
cannot be read as decimals, and titles broken into balanced lines (GB/T 9704 7.3.1). Used by the letters, the
circulars and the reports, so a plan's text copied from the web reads the same in every document."""

import re

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef"
# ASCII punctuation next to a Chinese character (on either side) is the full-width mark it stands for
HALF_TO_FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
NEXT_TO_CJK = re.compile(rf"(?<=[{CJK}])\s*([,;:?!()])|([,;:?!()])\s*(?=[{CJK}])")
# "1." "1、" opening a list item, then a year: "1.2024年" would read as the decimal 1.2024
ITEM_NUMBER = re.compile(r"^(\d{1,2})[.．、](?=\d{4}年)")


def _full_width(match: re.Match) -> str:
    return HALF_TO_FULL[match.group(1) or match.group(2)]


def _brackets(text: str) -> str:
    """An ASCII bracket pair around Chinese text is （…）, whatever stands outside it."""
    return re.sub(rf"\(([^()]*[{CJK}][^()]*)\)", r"（\1）", text)


def _nested_titles(text: str) -> str:
    """《…《…》…》 → 《…〈…〉…》: a book title inside another takes the single marks."""
    out, depth = [], 0
    for ch in text:
        if ch == "《":
            depth += 1
            out.append("〈" if depth % 2 == 0 else "《")
        elif ch == "》" and depth:
            out.append("〉" if depth % 2 == 0 else "》")
            depth -= 1
        else:
            out.append(ch)
    return "".join(out)


def normalise(text: str) -> str:
    """Chinese text with full-width ，；：？！（） where ASCII marks stand beside Chinese characters, nested book
    titles as 《…〈…〉…》 and a list number before a digit (“1.2024年6月底前”) written 1．so it is not a decimal.
    Digits, Latin words and numbers like 1.5 keep their ASCII marks."""
    text = _brackets(text)
    text = NEXT_TO_CJK.sub(_full_width, text)
    text = _nested_titles(text)
    return ITEM_NUMBER.sub(r"\1．", text)


def book_title(title: str) -> str:
    """A title quoted in running text: 《…》, a title inside it in 〈…〉, the rest `normalise`d."""
    return normalise(f"《{title}》")


def title_lines(phrases: list[str], width: int = 20) -> list[str]:
    """A title given as its unbreakable phrases (关于督促 / 天津市河北区财政局 / 限期整改逾期任务的函) in as few lines
    of at most `width` characters as it needs, broken only between phrases, the lines as even as they can be
    (梯形/菱形, GB/T 9704 7.3.1). A phrase longer than a line is cut where it must."""
    pieces = [p[i:i + width] for p in phrases for i in range(0, len(p), width)]
    title = "".join(pieces)
    lines = -(-len(title) // width)
    while True:
        best = _balanced(pieces, lines, width)
        if best:
            return best
        lines += 1


def _balanced(pieces: list[str], lines: int, width: int) -> list[str] | None:
    """The split of `pieces` into `lines` lines of at most `width` with the smallest spread, a longer first line
    winning a tie (梯形); None if they do not fit."""
    if lines == 1:
        text = "".join(pieces)
        return [text] if len(text) <= width else None
    best = None
    for cut in range(1, len(pieces)):
        head = "".join(pieces[:cut])
        if len(head) > width:
            break
        rest = _balanced(pieces[cut:], lines - 1, width)
        if rest is None:
            continue
        candidate = [head, *rest]
        if best is None or _spread(candidate) < _spread(best):
            best = candidate
    return best


def _spread(lines: list[str]) -> tuple[int, int]:
    return max(map(len, lines)) - min(map(len, lines)), -len(lines[0])
