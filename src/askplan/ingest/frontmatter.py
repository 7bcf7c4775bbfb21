"""Front matter inferred from a document's own text: its title, 文号, issuing body and date. What the text does
not give is left out; the caller names it in the error, and flags override every key."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from askplan.normalize import to_simplified

HEAD_LINES = 30  # the title, 文号 and addressee stand among the first lines
TAIL_LINES = 20  # the signature and date stand among the last lines of a notice
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,16}\s*[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,5}\s*号")
# the kinds of document a title names (also inside it: 政策 …)
_KINDS = (r"办法|辦法|方案|意见|意見|通知|规定|規定|条例|條例|决定|決定|报告|報告|纲要|綱要|规划|規劃|计划|計劃|措施|细则|細則|指南"
          r"|公告|决议|決議|清单|清單|要点|要點|规则|規則|规范|規範|解释|解釋|批复|批覆|复函|覆函|答复|答覆|通报|通報|章程")
_KIND = re.compile(rf"(?:关于|關於).{{2,}}|(?:{_KINDS}|政策)|法$")
# a record of adoption or amendment (2018年4月27日…《关于修改…的决定》修正) or a heading of the body (第二章 能源规划)
_NOT_TITLE = re.compile(r"\s*(?:[（(]?\s*(?:\d{4}\s*年\s*\d{1,2}\s*月|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月)"
                        r"|第[一二三四五六七八九十百零〇\d]+\s*[章节條条])")
# what a title ends in: its kind, perhaps with a bracket (（试行）, （2018—2035年）的批复 ends in 批复)
_ENDS_KIND = re.compile(rf"(?:{_KINDS}|请示|請示|函|法)(?:[（(][^（）()]{{1,12}}[）)])?$")
_SPACED = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")
# a line a broken title may start with: it names the issuer or says 关于 (not a column name like 云南要闻, not 减小)
_TITLE_START = re.compile(r"关于|關於|(?:人民政府|政府|办公厅|辦公廳|办公室|辦公室|委员会|委員會|国务院|國務院|部|局|厅|廳|委|院|署)"
                          r"(?:关于|關於|对|對|转发|轉發|印发|印發|批转|批轉|、|\s|$)")
_TITLE_PART = re.compile(r"[\u4e00-\u9fff]{4}|^[\u4e00-\u9fff]{2,}$")  # a line a broken title may start or go on with
_BREADCRUMB = re.compile(r"[>|›»]")  # 首页 > 政策文件 > …
_NOT_IN_TITLE = re.compile(rf"[。；;：:/]|{_BREADCRUMB.pattern}")  # a sentence, an addressee, a site's breadcrumb
_ORG_END = re.compile(r"(?:人民政府|政府|办公厅|辦公廳|办公室|辦公室|委员会|委員會|常务委员会|人民代表大会|厅|廳|局|委|部|院|署|办|辦"
                      r"|领导小组|領導小組|管委会|管委會)$")
_ISSUER_IN_TITLE = re.compile(r"^(.{2,40}?)(?:关于|關於|转发|轉發|批转|批轉|印发|印發|对|對)")
# a government work report named with its place (2026年甘肃省政府工作报告, 陕西省2026年政府工作报告), not 关于…的决议
_WORK_REPORT = re.compile(r"(?:\d{4}年)?(?!关于|關於)([\u4e00-\u9fff]{1,12}?(?:省|市|自治区|自治州|区|县|州|盟|旗))"
                          r"(?:\d{4}年)?(?:人民)?政府工作报告(?:[（(][^（）()]{1,12}[）)])?$")
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "00012345678" + "9")
_DATE = re.compile(r"((?:19|20)\d{2})\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?")
_CN_DATE = re.compile(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")


@dataclass(frozen=True)
class Inferred:
    title: str = ""
    doc_number: str = ""  # 文号, e.g. 皖政办秘〔2021〕82号
    issuer: str = ""
    date: str = ""  # YYYY-MM-DD
    script: str = "simplified"


def infer(lines: tuple[str, ...], meta: dict[str, str]) -> Inferred:
    head = lines[:HEAD_LINES]
    title = meta.get("title") or _title(head) or meta.get("page_title", "")
    number = next((m.group().replace(" ", "") for line in head if (m := _DOC_NUMBER.search(line))), "")
    issuer = meta.get("issuer") or _issuer(lines, title)
    date = meta.get("date") and _date_in(meta["date"]) or _signature_date(lines) or ""
    return Inferred(title.strip(), number, issuer, date, detect_script(lines))


def _title(head: tuple[str, ...]) -> str:
    """The first line that reads like a document title. A title broken over two or three lines (a page's <br>, a
    printed heading) is joined: the first run of lines that ends in a kind of document (通知, 批复, 答复 …) with its
    brackets closed. A heading printed with spaces between its characters (几 个 问 题 的 通 知) is read without them."""
    head = tuple(_SPACED.sub("", line) for line in head)
    for i, line in enumerate(head):
        if _NOT_TITLE.match(line) or "。" in line or line.endswith(("；", "：", ":")) \
                or _DOC_NUMBER.fullmatch(line.strip("（）() ")):  # a title holds no full stop: 政府工作报告。 记者…摄
            continue
        joined = line
        joins = _TITLE_START.search(line) and not _BREADCRUMB.search(line)  # 国务院关于…; not 减小, 】 or 首页 > …
        for nxt in head[i + 1:i + 3] if joins else ():
            if (_ENDS_KIND.search(joined) and _closed(joined)) or len(nxt) > 40 or _NOT_IN_TITLE.search(nxt) \
                    or not _TITLE_PART.search(nxt) or "【" in nxt or "】" in nxt \
                    or _DOC_NUMBER.search(nxt) or _NOT_TITLE.match(nxt):
                break
            joined += nxt
        if 4 <= len(joined) <= 120 and _KIND.search(joined) and _ENDS_KIND.search(joined) and _closed(joined):
            return joined
        if 4 <= len(line) <= 120 and _KIND.search(line):
            return line
    return ""


def _closed(text: str) -> bool:
    return text.count("《") == text.count("》") and text.count("（") + text.count("(") == text.count("）") + text.count(")")


def _issuer(lines: tuple[str, ...], title: str) -> str:
    """The body a title names before 关于/转发/印发/对 (国务院办公厅转发国家地震局…: the forwarded report's signature
    at the end is not the issuer), else the signing body above the date at the end, else one under the notice."""
    m = _ISSUER_IN_TITLE.match(title)
    if m and _ORG_END.search(m.group(1)):
        return m.group(1)
    if m := _WORK_REPORT.match(title):  # 2026年甘肃省政府工作报告: a work report is its place's government's
        return f"{m.group(1)}人民政府"
    tail = lines[-TAIL_LINES:]
    for i, line in enumerate(tail):
        if _date_in(line) and i > 0 and _ORG_END.search(tail[i - 1]) and len(tail[i - 1]) <= 40:
            return tail[i - 1]
    for i, line in enumerate(lines[:HEAD_LINES]):  # a signature right under the notice
        if _date_in(line) and i > 0 and _ORG_END.search(lines[i - 1]) and len(lines[i - 1]) <= 40:
            return lines[i - 1]
    return ""


def _signature_date(lines: tuple[str, ...]) -> str:
    """A date line on its own (the signature date) near the top or bottom, else the first date in the head."""
    for line in (*lines[:HEAD_LINES], *lines[-TAIL_LINES:]):
        if len(line) <= 20 and (date := _date_in(line)):
            return date
    return next((d for line in lines[:HEAD_LINES] if (d := _date_in(line))), "")


def _date_in(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    m = _DATE.search(text)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _CN_DATE.search(text)
        if not m:
            return ""
        y = int(m.group(1).translate(_CN_DIGITS))
        mo, d = _cn_small(m.group(2)), _cn_small(m.group(3))
    import datetime

    try:
        return datetime.date(y, mo, d).isoformat()
    except ValueError:
        return ""


def _cn_small(text: str) -> int:
    from askplan.numerals import parse_cn_numeral

    try:
        return parse_cn_numeral(text)
    except ValueError:
        return 0


def detect_script(lines: tuple[str, ...]) -> str:
    """traditional when more than 3% of the CJK characters change under Traditional -> Simplified."""
    sample = "".join(lines)[:20000]
    cjk = [ch for ch in sample if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return "simplified"
    changed = sum(a != b for a, b in zip(sample, to_simplified(sample), strict=False) if "\u4e00" <= a <= "\u9fff")
    return "traditional" if changed / len(cjk) > 0.03 else "simplified"
