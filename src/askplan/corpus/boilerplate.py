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
    Boilerplate("share_bar", re.compile(r"^(?:分享到\s*[:：]|分享\s*[:：]\s*$|扫一扫在手机打开当前页|扫一扫在手机上查看当前页面"
                                        r"|用手机扫描二维码)"),
                "分享到：微信 微博 QQ空间", "分享到户的收益"),
    # A news page's line of navigation split one link a line: 首页 / > / 要闻.
    Boilerplate("navigation", re.compile(r"^(?:首页|主页|[>»›])$"), "首页", "首页展示的政务服务事项"),
    # A news page's source, time and reads: 来源：解放日报, 阅读量：, 2026-02-03 09:02:33. A source is dropped only
    # when it names a medium (来源：国家统计局 under a table is the text's), a time only when it carries a clock
    # time or nothing (时间：2025年12月31日前 is a deadline, and a date alone may be the one ``askplan add`` reads).
    Boilerplate("news_source", re.compile(
        r"^(?:来源|稿源|信息来源)\s*[:：]\s*(?:\S{0,16}(?:日报|晚报|时报|报社|新闻网|网|客户端|新闻|电视台|广播电视台|融媒体中心))?$"),
                "来源：宁夏日报客户端", "来源：国家统计局"),
    Boilerplate("news_time", re.compile(
        r"^(?:(?:发布|发表|更新)?时间\s*[:：]\s*)?(?:\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?"
        r"|\d{4}年\d{1,2}月\d{1,2}日\s*\d{1,2}(?:时|:)\d{1,2}分?)$|^(?:发布|发表|更新)?时间\s*[:：]$"),
                "2026-02-03 09:02:33", "2022-03-15"),  # a date without a clock time may be the document's own
    Boilerplate("news_reads", re.compile(r"^(?:阅读量|阅读|浏览次数|浏览量|点击量|点击数|访问量)\s*[:：]\s*\d*$"),
                "阅读量：", "阅读推广活动每年举办"),
    # A news photo's caption: 省长X作政府工作报告。本报记者 戴冰摄.
    Boilerplate("photo_caption", re.compile(r"^.{0,60}记者[^，,。；;]{1,16}(?<![拍摄])摄(?:影)?$"),
                "殷勇同志作政府工作报告。本报记者 戴冰摄", "组织记者采访拍摄"),
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
