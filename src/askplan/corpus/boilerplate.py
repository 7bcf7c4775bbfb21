"""Lines that are no part of a document: site banners, page numbers, print/close links, breadcrumbs, share bars.

One named, ordered table; each row has an example it must match and a look-alike it must not. Lines are
matched after normalisation (Simplified script, half-width, lower case), so one row serves both scripts.
``askplan add`` drops every such line while extracting; the corpus parser drops a banner at the head of a body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from askplan.normalize import normalize


@dataclass(frozen=True)
class Boilerplate:
    name: str
    regex: re.Pattern[str]
    example: str
    counter: str


BOILERPLATE: tuple[Boilerplate, ...] = (
    Boilerplate("site_banner", re.compile(r"^(?:维基文库|维基百科|维基新闻)\s*[,，]?\s*自由的(?:图书馆|百科全书|新闻源)$"),
                "維基文庫,自由的圖書館", "维基文库收录的行动方案全文"),
    Boilerplate("page_number", re.compile(
        r"^(?:[-—–－]\s*\d{1,4}\s*[-—–－]|第\s*\d{1,4}\s*页(?:\s*[/，,]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}"
        r"|\d{1,4}|page\s*\d{1,4}(?:\s*of\s*\d{1,4})?)$"), "— 3 —", "3.加强组织领导"),
    Boilerplate("page_tools", re.compile(
        r"^(?:[【\[]?\s*(?:打印本页|打印|关闭窗口|关闭|返回顶部|收藏|纠错|字号|字体|下载|全屏|加大|还原|减小|默认)\s*[:：]?"
        r"\s*(?:大\s*中\s*小)?\s*[】\]]?\s*[|｜]?\s*)+$|^[】\]]$"),
                "【打印本页】【关闭窗口】", "关闭落后产能"),
    Boilerplate("breadcrumb", re.compile(r"^(?:当前位置|您的位置|您现在的位置|当前所在位置)\s*[:：]"),
                "当前位置：首页 > 政务公开 > 政策文件", "当前位置固定的设施应当登记"),
    Boilerplate("share_bar", re.compile(r"^(?:分享到\s*[:：]|扫一扫在手机打开当前页|扫一扫在手机上查看当前页面|用手机扫描二维码)"),
                "分享到：微信 微博 QQ空间", "分享到户的收益"),
    Boilerplate("site_footer", re.compile(
        r"^(?:版权所有|主办单位|承办单位|网站标识码|网站地图|联系我们|copyright|©).{0,80}$|^.{0,40}(?:icp备|公网安备).{0,40}$"),
                "版权所有：某某市人民政府办公室  网站标识码：1234000001", "主办单位应当落实安全责任，确保活动有序开展。"),
)
_SENTENCE_END = re.compile(r"[。；;！？]$")


def boilerplate_kind(line: str) -> str | None:
    """The name of the row that ``line`` matches, or None for document text."""
    norm = normalize(line)
    if not norm or len(norm) > 120:
        return None
    for row in BOILERPLATE:
        if row.regex.search(norm) and not (row.name == "site_footer" and _SENTENCE_END.search(norm)):
            return row.name
    return None
