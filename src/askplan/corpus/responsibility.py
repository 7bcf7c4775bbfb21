"""Responsibility clauses — （責任單位：…）, （省商务厅牵头，合肥海关配合）, （省商务厅负责）, 牵头考核单位：… —
and the folding of unit names to one canonical form."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from askplan.models import Responsibility
from askplan.normalize import to_simplified

_UNIT_CHARS = r"[^（）()。\n]"
_LIST_CHARS = r"[^（）()。\n:：]"  # a list of units never holds a colon: one there starts the next label
_OPEN, _CLOSE = r"[（(]", r"[）)]"
_LIST_LABEL = (r"(?:責任單位|责任单位|責任部門|责任部门|牵头单位|牽頭單位|牵头部门|牽頭部門|牵头考核单位|牽頭考核單位|責任主體|责任主体"
               r"|主责单位|主責單位|负责部门|負責部門|负责单位|負責單位)")
_CO_LABEL = r"(?:配合单位|配合單位|配合部门|配合部門|协同单位|協同單位|协办单位|協辦單位|支撑单位|支撐單位|参与单位|參與單位|责任单位|責任單位)"
_SEP = r"\s*[，,；;]\s*"
# another label after the units, of no unit: （负责部门：商务部；适用范围：…）, （责任单位：…；完成时限：2022年底）
_NOTE = rf"(?:{_SEP}(?!{_LIST_LABEL}|{_CO_LABEL})[\u4e00-\u9fff]{{2,8}}\s*[:：][^（）()\n]{{0,80}}?)?"
_PROSE_UNIT = r"(?:(?!由|授权|授權|委托|委託)[\u4e00-\u9fff])"
# A bureau's 局 (统计局, 公安局), not a situation's or a layout's: 大局, 格局, 布局, 全局, 开局, 变局, 新局, 结局, 僵局, 时局,
# 局面, 局势, 局限 (but 市应急局部署…: a bureau's name before 部署).
_BUREAU = r"(?<![大格布全开開变變新结結僵残殘定棋骗騙饭飯时時])局(?![面势勢限])"
# National bodies end in 部, 银行 or 总署: 公安部, 中国农业发展银行, 海关总署 (not 干部, 西部, 底部, 总部, 公安部门, 签署,
# 零部件).
_NATIONAL_BODY = r"(?<![干幹全内內局外各本东東西南北中底顶頂总總])部(?![门門分长長署件])|银行|銀行|总署|總署"
# A centre that is a body (数据中心, 服务中心), not the centre of a place: 中心城市, 中心城区, 中心区, 中心镇.
_CENTRE = r"中心(?![城区區镇鎮])"
_ORG = (rf"(?:主管部门|主管部門|部门|部門|厅|廳|{_BUREAU}|委员会|委員會|委|管委会|管委會|办公室|辦公室|人民政府|政府|执委会|執委會"
        rf"|{_NATIONAL_BODY}|办|辦|总公司|總公司|{_CENTRE})")


@dataclass(frozen=True)
class ClausePattern:
    name: str
    regex: re.Pattern[str]
    example: str  # a clause the pattern must read (and no earlier row may)
    counter: str  # text that looks alike but is no responsibility clause: no row may read it


# Ordered: the first pattern that matches at a position wins.
CLAUSE_PATTERNS: tuple[ClausePattern, ...] = (
    ClausePattern("listed", re.compile(rf"{_OPEN}\s*{_LIST_LABEL}\s*[:：]\s*(?P<units>{_LIST_CHARS}+?){_NOTE}{_CLOSE}"),
                  "(責任單位:省發展改革委、省商務廳等)", "（责任单位要加强协调）"),
    ClausePattern("lead_and_co_labels", re.compile(
        rf"{_OPEN}\s*{_LIST_LABEL}\s*[:：]\s*(?P<units>{_LIST_CHARS}+?){_SEP}{_CO_LABEL}\s*[:：]\s*"
        rf"(?P<co>{_LIST_CHARS}+?){_NOTE}{_CLOSE}"),
                  "（牵头单位：经济技术开发区、九里亭街道，支撑单位：区规划资源局、区建设管理委）",
                  "（牵头单位和配合单位要加强协作）"),
    ClausePattern("after_deadline", re.compile(
        rf"{_OPEN}(?P<when>(?:(?!{_LIST_LABEL}){_UNIT_CHARS}){{1,60}}?){_SEP}{_LIST_LABEL}\s*[:：]\s*"
        rf"(?P<units>{_LIST_CHARS}+?)(?:{_SEP}{_CO_LABEL}\s*[:：]\s*(?P<co>{_LIST_CHARS}+?))?{_NOTE}{_CLOSE}"),
                  "（5月底取得明显成效并持续推进，牵头考核单位：市审批服务局）", "（5月底取得明显成效并持续推进）"),
    ClausePattern("lead_and_assist", re.compile(
        rf"{_OPEN}(?P<lead>{_UNIT_CHARS}{{2,80}}?)(?:牵头|牽頭)(?:[,，;；、]\s*(?P<co>{_UNIT_CHARS}{{2,160}}?)"
        rf"(?:按职责分工|按職責分工)?(?:配合|參與|参与|协同|協同|负责|負責))?{_CLOSE}"), "（省商务厅牵头，合肥海关配合）",
                  "（以下简称牵头）"),
    # a long list of ministries, and a note after it: （税务总局、财政部、海关总署负责，排在第一位的部门为牵头部门，下同）
    ClausePattern("sole", re.compile(rf"{_OPEN}(?P<lead>{_UNIT_CHARS}{{2,200}}?)(?:负责|負責)"
                                     rf"(?:[，,；;](?:{_UNIT_CHARS}){{1,30}}?)?{_CLOSE}"), "（省商务厅负责）",
                  "（以下简称负责）"),
    ClausePattern("trailing", re.compile(rf"{_LIST_LABEL}\s*[:：]\s*(?P<units>[^。\n（）()]+?)\s*。?\s*$", re.M),
                  "牵头考核单位：市发展改革委", "牵头考核单位要按月报送进展。"),
    # Duties stated in prose. Cheap and safe only: the unit must end like an organisation, and stand at the
    # start of a sentence (…负责) or after 由 (由…牵头).
    ClausePattern("prose_led_by", re.compile(rf"由(?P<lead>{_PROSE_UNIT}{{1,24}}?{_ORG})(?:牵头|牽頭)"),
                  "由市交通委牵头", "由龙头企业牵头"),
    ClausePattern("prose_responsible", re.compile(
        rf"(?<![^。；;：:\n\s\u3000])(?P<lead>{_PROSE_UNIT}{{1,24}}?{_ORG})(?:应当|應當)?(?:负责|負責)(?!人|同志)"),
                  "省经济和信息化主管部门负责推进、协调、督促全省数字经济发展工作", "企业主要负责人是安全生产第一责任人"),
)
PROSE_PATTERNS = frozenset({"prose_led_by", "prose_responsible"})

# Who a sentence makes its actor, read only where a measure has no responsibility clause (parse_actors): a name
# ending like an organisation after 由/授权/委托, or opening a clause before a verb of duty (负责, 会同, 应当 …).
# a 所 that is an office (管理所, 事务所, 派出所), not a place (场所, 住所)
_OFFICE = r"(?:管理|事务|事務|研究|派出|监测|監測|检测|檢測|检验|檢驗|服务|服務|司法|律师|律師)所"
_ORG = (rf"(?:部门|部門|厅|廳|{_BUREAU}|委员会|委員會|委|管委会|管委會|办公室|辦公室|办事处|辦事處|办(?!公)|辦(?!公)|政府|执委会|執委會|机关|機關|机构|機構|小组|小組"
        rf"|单位|單位|集团|集團|公司|{_CENTRE}|专班|專班|协会|協會|监会|監會|(?<![网網])站|{_OFFICE}|医院|醫院"
        rf"|{_NATIONAL_BODY}"
        # parties a regulation binds: 土壤污染责任人, 土地使用权人, 申请人, 电信业务经营者
        r"|责任人|責任人|权人|權人|当事人|當事人|申请人|申請人|经营者|經營者|所有者|使用者|管理者|生产者|生產者)")
_ADVERB = r"(?:具体|具體|主要|统一|統一|共同|分别|分別|也|还|還)?"  # before a verb of duty: 市泗河管理机构具体负责…
_ORG_LED = rf"(?:{_ORG}|组织|組織|企业|企業)"  # after 由 a 企业 leads too (由企业牵头); opening a clause it is an object
_DUTY = (r"(?:应当|應當|应|應|要|可以|负责|負責|牵头|牽頭|会同|會同|统筹|統籌|组织|組織|指导|指導|协调|協調|承担|承擔|对|對"
         r"|履行|依法|依照|按|不得|不予|根据|根據|依据|依據|作为|作為|在|将|將|通过|通過|负有|負有|确保|確保)")
_NAME_CHAR = r"(?:(?!(?<!自)由|是|设在|設在|授权|授權|委托|委託|会同|會同|(?:牵头|牽頭)(?!考核|单位|單位|部门|部門|医院|醫院)|负责|負責|应当|應當|配合|对|對|依法|按)[\u4e00-\u9fff（）()、])"
# a name never opens with a verb of encouragement or direction: 鼓励运营单位… has no actor (the government is meant)
_OPENING_VERB = r"(?:移交|移送|交由|依托|依靠|利用|建立|组织(?!部)|組織(?!部)|鼓励|鼓勵|支持|引导|引導|推动|推動|推进|推進|加快|加强|加強|督促|指导|指導|要求|允许|允許)"
_NAME_START = rf"(?=[\u4e00-\u9fff])(?![于於此与與及或]|{_LIST_LABEL}|{_CO_LABEL}|{_OPENING_VERB})"
# the words after a unit's name in a heading over its duties: 区减灾委职责, 市教育局的主要职责, 区减灾办及其职责
DUTIES_OF = r"(?:的|及其)?(?:主要|工作)?(?:职责|職責)"
# the shortest name that ends like an organisation and goes on no further (not 管委 of 管委会, 市政府 of
# 市政府办公室, 局 of 局长, 委 of 委托)
# (组织 / 企业 go on a name only where the name ends there: 联合组织，负责…; 区人民政府组织编制… is 区人民政府)
_NAME_END = rf"(?!员|員|长|長|托|託|会(?!同)|會(?!同)|{_ORG}|(?:组织|組織|企业|企業)(?:[、和与與及，,]|负责|負責|牵头|牽頭|应当|應當))"
_ACTOR = rf"{_NAME_START}{_NAME_CHAR}{{0,38}}?{_ORG}{_NAME_END}"
_ACTOR_LED = rf"{_NAME_START}{_NAME_CHAR}{{0,38}}?{_ORG_LED}{_NAME_END}"
# a list of names may be given a short name before its verb: 相关行业主管部门和相关区政府（以下统称专区监管部门）
_ALIAS = r"(?:[（(](?:以下|下同)?(?:简称|簡稱|统称|統稱)[^（）()。\n]{1,20}[）)])?"
_ACTORS = rf"{_ACTOR}(?:[、和与與及或]{_ACTOR})*"
_ENDS_LIKE_ORG = re.compile(rf"(?:{_ORG_LED}|[省市区區县縣])$")
_SENTENCE_END = re.compile(r"[。；;！？\n]")

# what 成立/设立 names is the body's full name, which may open with a verb (推动长三角一体化发展领导小组)
_ESTABLISHED = rf"(?=[\u4e00-\u9fff])(?![于於此与與及或]){_NAME_CHAR}{{0,38}}?(?:{_ORG}|机制|機制){_NAME_END}"
ACTOR_PATTERNS: tuple[ClausePattern, ...] = (
    ClausePattern("actor_established", re.compile(
        rf"(?:成立|设立|設立|组建|組建)(?P<lead>{_ESTABLISHED}(?:、{_ESTABLISHED})*)(?P<co>)[，,]"
        rf"(?=负责|負責|统筹|統籌|承担|承擔|协调|協調|指导|指導|牵头|牽頭)"),
                  "成立推动长三角一体化发展领导小组，统筹指导和综合协调长三角一体化发展战略实施",
                  "建立健全协调机制，推动政策落实"),
    ClausePattern("actor_after_by", re.compile(
        rf"(?<![自理经經缘緣因来來])(?:由|授权|授權|委托|委託)(?P<lead>{_ACTOR_LED}(?:、{_ACTOR_LED})*)"
        rf"(?:(?:会同|會同)(?P<co>{_ACTORS}))?(?=[\u4e00-\u9fff])"),
                  "由本级数据资源主管部门会同有关政务部门协调处理", "由于相关部门配合不够"),
    # a unit's name as the label of a line of its duties: 区气象局：加强监测预警预报…
    ClausePattern("actor_label", re.compile(
        rf"(?m)^[\s\u3000]*(?:\d+[.．、]|[（(]?[一二三四五六七八九十]+[)）、]|[（(]\d+[)）])?[\s\u3000]*"
        rf"(?P<lead>{_ACTORS})(?P<co>)[：:](?=[^\n]{{4}})"),
                  "区气象局：加强监测预警预报，及时发布降温、霜冻和道路结冰预警信息。", "区减灾委各成员单位：\n为切实做好工作"),
    # …or as a heading over lines of its duties: 2.2.1区减灾委职责 / （三）市教育局的主要职责：
    ClausePattern("actor_heading", re.compile(
        rf"(?m)^[\s\u3000]*(?:[\d.]+|[（(]?[一二三四五六七八九十]+[)）、])?[\s\u3000]*"
        rf"(?P<lead>{_ACTORS})(?P<co>){DUTIES_OF}[：:]?[\s\u3000]*\n(?=[^\n]{{4}})"),
                  "2.2.1区减灾委职责\n负责统筹、指挥、监督全区低温天气防范应对工作。", "（二）明确职责\n分工负责，加强协作。"),
    # names opening a sentence, separated by commas, before their duty: 市、县人民政府，某某管委会，应当…
    ClausePattern("actor_subject_list", re.compile(
        rf"(?:(?<![^。；;：:\n\s\u3000])|(?<=\d[.．、])|(?<=[）)]))(?P<lead>{_ACTORS})(?P<co>(?:[，,]{_ACTORS})+)[，,]"
        rf"{_ADVERB}(?:应当|應當|负责|負責|要|承担|承擔|(?:在|按照|依照|按)各自)"),
                  "市、沿河县（市、区）人民政府，济宁高新技术产业开发区、太白湖新区管委会，应当加强泗河保护管理的宣传教育",
                  "依照前款规定，负责审批的部门应当公开"),
    ClausePattern("actor_subject", re.compile(
        rf"(?:(?<![^。；;：:，,\n\s\u3000])|(?<=\d[.．、]))(?P<lead>{_ACTORS}){_ALIAS}"  # also after an item number: 1.
        rf"(?:(?:应当|應當|要)?(?:会同|會同)(?P<co>{_ACTORS})"
        rf"|{_ADVERB}{_DUTY}(?!人|同志))"),
                  "州数据资源主管部门应当会同有关部门建立基础数据资源库", "要充分发挥企业作用。"),
)

_SPLIT = re.compile(r"[、,，;；/]|\s+")
# Levels of government a name applies to, before the name: 市、县（市、区）…, 州、县（市）…
_LEVEL = r"(?:自治区|自治區|直辖市|直轄市|计划单列市|計劃單列市|[省市州县縣区區])"
_LEVELS = re.compile(rf"^各?(?:{_LEVEL}(?:[（(][省市州县縣区區、]+[）)])?、)+(?:{_LEVEL}(?:[（(][省市州县縣区區、]+[）)])?)?(?=[\u4e00-\u9fff])(?!各)")
# a bracket inside a name: its 、 separates alternatives of one level (各县（市、区）人民政府), not two units
_IN_BRACKETS = re.compile(r"[（(][^（）()]{1,12}[）)]")
_CITY_GOVERNMENT = re.compile(r"^([\u4e00-\u9fff]{2,3}?)等?(市人民政府|市政府|县人民政府|縣人民政府)$")
_BARE_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,3}$")
_DEPARTMENT_WORD = re.compile(r"[部门門厅廳局委会會办辦室处處所站心院队隊]")  # …主管部门, …局: a name of its own
# a list of departments named after the government they belong to, as its first item: 县级以上人民政府环境保护
_GOVERNMENTS_DEPARTMENTS = re.compile(r"^(?:各级|[省市县縣区區]级以上|[省市州县縣区區])?(?:地方)?人民政府(?!及|和|与|與|其|有关|有關|相关|相關)"
                                      r"([\u4e00-\u9fff]{2,6})$")
_ORG_ENDING = re.compile(r"[省市县縣厅廳局委会會办辦部行关關司团團组組院位府处處室队隊所站心]$")
ALIASES: dict[str, str] = {
    "省发改委": "省发展改革委",
    "省发展改革委员会": "省发展改革委",
    "省发展和改革委员会": "省发展改革委",
    "省经信厅": "省经济和信息化厅",
    "省人力资源和社会保障厅": "省人力资源社会保障厅",
    "省人社厅": "省人力资源社会保障厅",
    "省住建厅": "省住房城乡建设厅",
    "省住房和城乡建设厅": "省住房城乡建设厅",
    "地方金融监管局": "省地方金融监管局",
    "省市场监督局": "省市场监管局",
    "省市场监督管理局": "省市场监管局",
    "省生态环境保护厅": "省生态环境厅",
    "省卫健委": "省卫生健康委",
    "省应急管理厅": "省应急厅",
    "省文化旅游厅": "省文化和旅游厅",
}


@lru_cache(maxsize=65536)
def canonical_unit(name: str) -> str:
    """Fold a unit name: Simplified script, half-width, no spaces, no trailing 等, known aliases. Cached: a corpus
    names its units again and again (300,000 times in 100,000 synthetic measures, 5 s of a service start)."""
    s = to_simplified(unicodedata.normalize("NFKC", name))
    s = re.sub(r"\s+", "", s).strip("、,，;；。.")
    s = re.sub(r"(?:等(?:单位|部门)?)$", "", s)
    return ALIASES.get(s, s)


def split_units(raw: str) -> list[str]:
    """Verbatim unit names from a clause's list, expanding 合肥、蕪湖等市人民政府 into one name per city; a name
    led by the levels it applies to (市、县（市、区）特种设备安全监督管理部门) stays one name."""
    raw = raw.strip()
    if (levels := _LEVELS.match(raw)) and not re.fullmatch(rf"{_LEVEL}级?", raw[levels.end():]):  # 省、市 are two
        raw = levels.group().replace("、", "\0") + raw[levels.end():]
    raw = _IN_BRACKETS.sub(lambda m: m.group().replace("、", "\0"), raw)  # 县（市、区）is one level
    parts = [re.sub(r"(?:按职责分工|按職責分工)$", "", p.strip()).replace("\0", "、") for p in _SPLIT.split(raw)]
    parts = [p for p in parts if p and p not in ("等", "和")]
    if len(parts) > 1 and (m := _GOVERNMENTS_DEPARTMENTS.match(parts[0])) and not _DEPARTMENT_WORD.search(m.group(1)):
        parts[0] = m.group(1)  # 县级以上人民政府环境保护、农业等部门: the government's departments, led by 环境保护
    for i, part in enumerate(parts):
        m = _CITY_GOVERNMENT.match(part)
        if not m:
            continue
        parts[i] = m.group(1) + m.group(2)
        j = i - 1
        while j >= 0 and _BARE_PLACE.match(parts[j]) and not _ORG_ENDING.search(parts[j]):
            parts[j] += m.group(2)
            j -= 1
    return parts


def find_clauses(text: str, *, prose: bool = True) -> list[tuple[int, int, list[str], list[str], bool]]:
    """(start, end, lead-group units, co-units, stated in prose) for every clause in ``text``, in order;
    ``prose=False`` reads only the marked clauses (labels or brackets), which decide how a block is split into
    measures."""
    found: list[tuple[int, int, list[str], list[str], bool]] = []
    taken: list[tuple[int, int]] = []
    for pattern in CLAUSE_PATTERNS:
        if not prose and pattern.name in PROSE_PATTERNS:
            continue
        for m in pattern.regex.finditer(text):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            groups = m.groupdict()
            leads = _clause_units(groups.get("units") or groups.get("lead") or "", leading=True)
            co = _clause_units(groups.get("co") or "")
            if leads and all(_looks_like_unit(u) for u in leads):
                found.append((m.start(), m.end(), leads, co, pattern.name in PROSE_PATTERNS))
                taken.append((m.start(), m.end()))
    return sorted(found)


def _clause_units(raw: str, leading: bool = False) -> list[str]:
    """A clause's units: 银保监会及各地区 are two, 工业和信息化部等国务院相关部门 is 工业和信息化部. In a ``leading``
    list separated by 、 a 及 joins the first item (各区市县政府及园区管委会、市财政局: it leads whole); elsewhere it
    separates units (…、海关总署等国务院相关部门及各地区)."""
    parts = split_units(raw)
    whole = leading and len(parts) > 1
    parts = [u for i, part in enumerate(parts) for u in ([part] if whole and i == 0 else split_joined(part))]
    return [_strip(_OTHERS, u) for u in parts]


def _looks_like_unit(name: str) -> bool:
    return 2 <= len(name) <= 40 and not re.search(r"[。！？:：]|简称|簡稱|以下", name)


def parse_responsibilities(text: str) -> tuple[Responsibility, ...]:
    """Every responsibility clause of a measure's text, each with the span of text it covers: from the end of the
    previous clause (or the start of the text) to the clause itself."""
    out, covered_from = [], 0
    for start, end, leads, co, prose in find_clauses(text):
        verbatim = leads + co
        units = dedupe(canonical_unit(u) for u in verbatim)
        lead = units[0] if units else None
        span_start = covered_from
        while span_start < start and text[span_start] in " \u3000\n\r\t":
            span_start += 1
        out.append(Responsibility(text[start:end], units, tuple(verbatim), lead, units[1:],
                                  (span_start, start), (start, end), prose))
        covered_from = end
    return tuple(out)


def parse_actors(text: str) -> tuple[Responsibility, ...]:
    """The organisations ``text``'s sentences make their actors, each covering its sentence from the name on (a
    unit that labels a line of duties, its line up to the next actor); the first unit of a name list leads
    (网信部门、保密部门…负责 -> 网信部门)."""
    found: list[tuple[int, int, list[str], list[str], bool]] = []
    for pattern in ACTOR_PATTERNS:
        for m in pattern.regex.finditer(text):
            if any(m.start() < e and s < m.end() for s, e, *_ in found):
                continue
            leads = [u for part in split_units(m.group("lead")) for u in split_joined(part)]
            co = [u for part in split_units(m.group("co") or "") for u in split_joined(part)]
            if leads and all(_looks_like_unit(u) for u in leads):
                found.append((m.start(), m.end(), leads, co, pattern.name == "actor_label"))
    out = []
    found.sort()
    for i, (start, end, leads, co, whole_line) in enumerate(found):
        verbatim = leads + co
        units = dedupe(canonical_unit(u) for u in verbatim)
        if whole_line:  # a label's duties run to the end of its line (海事局：负责…；履行…职责，组织…), or to the
            line_end = text.find("\n", end)  # next actor on it
            stop = min(len(text) if line_end < 0 else line_end, found[i + 1][0] if i + 1 < len(found) else len(text))
            while stop > end and text[stop - 1] in "。；;！？!?":  # as a sentence's part ends before its stop
                stop -= 1
        else:
            stop = m.start() if (m := _SENTENCE_END.search(text, end)) else len(text)
        out.append(Responsibility(text[start:stop], units, tuple(verbatim), units[0], units[1:], (start, stop),
                                  (start, end), prose=True))
    return tuple(out)


# What a sentence says of a unit is no part of its name (prose only; a marked clause lists names as such):
# 预警范围内的乡镇人民政府 -> 乡镇人民政府, 公安派出所等单位 -> 公安派出所.
# 设区的市 and X所属的Y are names; a bare 部门 or 有关部门 after 的 is no name of its own (…负责药品监督管理的部门).
_QUALIFIER = re.compile(r"^.*(?:(?<!设区)(?<!設區)(?<!所属)(?<!所屬)的|所在地)")
_OTHERS = re.compile(r"(?<![高初中同平均])等(?:国务院|國務院|[省市县縣区區]直?|[省市县縣区區]级|[省市县縣区區]級|行业|行業)?(?:有关|有關|相关|相關)?(?:行政)?(?:主管)?(?:部门|部門|单位|單位|机构|機構|机关|機關)(?:[（(][\u4e00-\u9fff]{2}[）)])?$")
_GENERIC_UNIT = re.compile(r"^(?:(?:有关|有關|相关|相關|其他|各|[和与與及])?(?:部门|部門|单位|單位|机构|機構|机关|機關|人民政府|政府))+$")


def _strip(pattern: re.Pattern, name: str) -> str:
    rest = pattern.sub("", name)
    return name if len(rest) < 2 or _GENERIC_UNIT.match(rest) else rest  # 有关区域的人民政府: the qualifier is the name


def head_name(name: str) -> str:
    """The unit a prose name means, without what the sentence says of it (see ``_QUALIFIER``)."""
    if (rest := _strip(_QUALIFIER, name)) == name:
        return _strip(_OTHERS, name)
    return rest


_BARE_LEVEL = re.compile(rf"(?:所在地的?|各|本)?{_LEVEL}")


def split_joined(name: str) -> list[str]:
    """市有关部门和相关区人民政府 -> two units; 省经济和信息化厅 stays one (its left part is no organisation).
    X会同Y is two units, X first: the one that 会同 (acts together with) the other leads."""
    for m in re.finditer(r"会同|會同|[和与與及或]", name):
        left, right = name[:m.start()], name[m.end():]
        if (len(left) >= 3 and len(right) >= 3 and _ENDS_LIKE_ORG.search(left) and _ENDS_LIKE_ORG.search(right)
                and not _BARE_LEVEL.fullmatch(left)):  # 所在地市和县（市）区公安消防机构: levels of one name
            return [left, *split_joined(right)]
    return [name]


def dedupe(items) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item)
    return tuple(seen)


# Organisations a sentence names, whatever it says of them: the fallback of who-leads answers where a sentence
# has no actor (parse_actors reads only a name before a verb of duty or after 由). A text is cut into runs at
# punctuation and at words that never stand inside a unit's name; a run that ends like an organisation, or goes
# on after one (市政府办公室数字政府专班予以核实), names the organisation up to its last organisation ending.
_TO = r"(?<![双雙方导導意走倾傾面转轉])向"  # 向 sends something somewhere; 双向, 方向, 导向 … send nothing
_NAMED_CUT = re.compile(
    r"[，,。；;：:！？!?、\n\s\u3000（）()「」“”《》〈〉【】\[\]]|\d+[.．、](?!\d)"
    rf"|由|经(?!济|濟|营|營|费|費|验|驗|过|過|信)|{_TO}|移交(?:给|給)?|移送|接受(?!地)|征求|徵求|报送|報送|报告|報告|报请|報請|提交|报(?!社|纸)|報(?!社|紙)|會同|会同|鼓励|鼓勵|支持|引导|引導|督促|要求|委托|委託|授权|授權"
    r"|接到|收到|传达|傳達"
    r"|负责(?!人)|負責(?!人)|(?:牵头|牽頭)(?!医院|醫院)|配合|协助|協助|按(?!摩)|根据|根據|依据|依據|依照|对(?!外)|對(?!外)|所在地的?|在|将|將|请|請|通过|通過|是|为(?!民)|為(?!民)"
    r"|组织(?!部)|組織(?!部)|应当|應當|开展|開展|实施|實施|落实|落實|推进|推進|予以|加强|加強"
    r"|(?<=[局委厅廳部门門办辦室府会會心司队隊站组組])要")  # 区气象局要与区执法应急局…: 要 after a name opens its duty
_NAMED_ORG = re.compile(
    rf"(?:主管部门|主管部門|部门|部門|厅|廳|{_BUREAU}|委员会|委員會|委|管委会|管委會|办公室|辦公室|人民政府|政府|{_CENTRE}|公司|机构|機構"
    r"|小组|小組|专班|專班|党委|黨委|大学|大學|学院|學院|单位|單位|协会|協會|集团|集團|机关|機關|法院|检察院|檢察院|台站"
    rf"|{_OFFICE}|医院|醫院"
    rf"|{_NATIONAL_BODY}|责任人|責任人|权人|權人|当事人|當事人|申请人|申請人|经营者|經營者)(?![员員长長])")
_BARE_ENDING = re.compile(r"单位|單位|部门|部門|机构|機構|中心")  # the ending alone: no one's name
_NAMED_MAX = 20
_NAMED_GAP = 4
# a name's role, from the words around it: made to act (由X, X负责) or where something goes (报X, 向X)
_MADE_TO_ACT = re.compile(r"(?:由|经|經|委托|委託|授权|授權)(?:所在地的?)?$")
_DUTY_AFTER = re.compile(rf"是(?!指)|[，,]?(?:应当|應當|负责|負責)|要(?!求|素|点|點)|{_ADVERB}负责|牵头|牽頭|会同|會同|组织|組織|统筹|統籌|承担|承擔|指导|指導|协调|協調|予以"
                         r"|[，,]?(?:按照|依照|按|依)各自")
# a verb of setting up, relying on or performing (履行X职责: X's duties, done by the sentence's actor), or a
# conjunction, before a name is no part of it (a cut would split 建立…的部门 from its verb, and 与 stands inside
# names: 自然资源与规划局)
_LEADING_VERB = re.compile(r"建立|成立|设立|設立|组建|組建|依托|依靠|利用|履行好?|行使|(?:并|並)?(?:与|與)|并|並")
# a name after 会同/配合 is a unit joining the duty of the actor before it (会同相关部门协调…), not an actor
_JOINED = re.compile(r"(?:会同|會同|配合|协助|協助|联合|聯合)$")
# a name opening a sentence, its verb right after it, is the sentence's subject: 发展改革部门整体部署反食品浪费工作。
_SENTENCE_OPENS = re.compile(r"(?<![^。；;！？!?\n])")
_VERB_AFTER = re.compile(r"(?![的之和与與及或等、])[\u4e00-\u9fff]")
_GOES_TO = re.compile(rf"(?:{_TO}|报|報|送|提交|移交|告|设在|設在)(?:所在地的?)?$")


@dataclass(frozen=True)
class NamedUnit:
    name: str
    start: int
    end: int
    role: str  # "actor": after 由/经/委托/授权 or before a verb of duty; "recipient": after 报/向/报送/提交…; else ""


# levels of government inside a name are no cut: 市、县（区）人民政府, 各省、自治区、直辖市人民政府
_LEVEL_RUN = rf"{_LEVEL}(?:、{_LEVEL})+"
# and neither is a short alternative in brackets inside a word: 乡镇(街道)党(工)委, 村(居)民委员会
_LEVEL_MARKS = re.compile(rf"{_LEVEL_RUN}|(?:(?<![\u4e00-\u9fff])|(?<=[由经經向报報及和与與]))(?:{_LEVEL}、)+(?=[\u4e00-\u9fff])(?!各)|[（(][省市州县縣区區、]{{1,7}}[）)]"
                          r"|(?<=[\u4e00-\u9fff])[（(][\u4e00-\u9fff]{1,2}[）)](?=[\u4e00-\u9fff])")
_LEVEL_PREFIX = re.compile(rf"各?{_LEVEL_RUN}")


# the short name a text gives a unit, in a note after its full name: 爱国卫生运动委员会（以下简称爱卫会）
_ENDS_LIKE_NAMED = re.compile(rf"(?:{_NAMED_ORG.pattern})$")
_SHORT_NAME = re.compile(r"[（(](?:[^（）()]{0,20}?[，,；;])?(?:以下|下同)?(?:简称|簡稱)(?:为|為)?[“”\"「」]?(?P<name>[\u4e00-\u9fff]{2,10})[“”\"「」]?[）)]")


def short_names(texts) -> tuple[str, ...]:
    """The short names ``texts`` give units (…委员会（以下简称爱卫会）) that do not end like an organisation's name, so
    that ``named_units`` reads them too: a document's own abbreviations, found in any of its measures."""
    found: dict[str, None] = {}
    for text in texts:
        if "简称" not in text and "簡稱" not in text:  # what _SHORT_NAME needs, found 10x faster than the regex fails
            continue
        for m in _SHORT_NAME.finditer(text):
            if _ENDS_LIKE_NAMED.search(text, 0, m.start()) and not _NAMED_ORG.search(m.group("name")):
                found.setdefault(m.group("name"))
    return tuple(found)


def named_units(text: str, short: tuple[str, ...] = ()) -> tuple[NamedUnit, ...]:
    """Every organisation ``text`` names (``NamedUnit``), in order; ``short``: the document's own short names for
    units (``short_names``)."""
    masked = _LEVEL_MARKS.sub(lambda m: re.sub(r"[、（）()]", "\ue000", m.group()), text)
    out, pos = [], 0
    for cut in [*_NAMED_CUT.finditer(masked), None]:
        end = cut.start() if cut else len(text)
        run = text[pos:end]
        ends, level_subject = _name_ends(run, short, text[end:end + 2] if _CLAUSE_OPENS.match(text, pos) else None,
                                         made_to_act=bool(_MADE_TO_ACT.search(text, max(0, pos - 8), pos))
                                         and masked[end:end + 1] not in "（(")  # 由区县（自治县）规划…: a longer name
        if ends and masked[pos + ends[-1]:pos + ends[-1] + 1] == "\ue000" and run[ends[-1]:ends[-1] + 1] in "）)":
            ends[-1] += 1  # a name that ends in its bracket: 有关部门（单位）
        levels = _LEVEL_PREFIX.match(run)  # 省、自治区、直辖市 before a name does not count toward its length
        if ends and 2 <= ends[-1] <= _NAMED_MAX + (levels.end() if levels else 0):
            start = pos
            if (verb := _LEADING_VERB.match(run)) and verb.end() < ends[-1] - 1:
                start += verb.end()  # 建立市场监管部门牵头的联席会议制度: the name follows the verb
            if _OTHERS.search(run[:ends[-1]]):  # 发展改革、财政、公安等部门: the list is one name, led by its first
                while (item := _LIST_ITEM.search(text, 0, start)) and _LIST_ITEM_TEXT.fullmatch(item.group(1)):
                    cuts = list(_NAMED_CUT.finditer(item.group(1)))  # 由X、Y等部门: the list begins after 由
                    start = item.start() + (cuts[-1].end() if cuts else 0)
                    if cuts:
                        break
                while out and out[-1].start >= start:  # an item that was a name of its own is in the list now
                    out.pop()
            if _BARE_ENDING.fullmatch(text, start, pos + ends[-1]):  # 以县为单位: a word for a unit, no one's name
                pos = cut.end() if cut else len(text)
                continue
            before = text[max(0, start - 6):start]  # room for 由/向 + 所在地的
            after = text[pos + ends[-1]:pos + ends[-1] + 5]
            actor = not _JOINED.search(before) and bool(
                level_subject or _MADE_TO_ACT.search(before) or _DUTY_AFTER.match(after)
                or (_SENTENCE_OPENS.match(text, start) and _VERB_AFTER.match(after))
                or (_HANDED_TO.search(before) and _HANDLES.match(after)))
            recipient = bool(_GOES_TO.search(before))
            out.append(NamedUnit(text[start:pos + ends[-1]], start, pos + ends[-1],
                                 "actor" if actor else "recipient" if recipient else ""))
        pos = cut.end() if cut else len(text)
    return tuple(out)


def _name_ends(run: str, short: tuple[str, ...], after: str | None = None, *, made_to_act: bool = False
               ) -> tuple[list[int], bool]:
    """Where a name that opens ``run`` may end (its organisation endings, close ones chained), and whether it is
    levels of government as a subject (乡镇(街道)要…; ``after``: the text after the run where the run opens a
    clause, else None) or made to act (``made_to_act``: the run follows 由/委托…, and is levels only:
    由各县（市、区）、园区出台…)."""
    if after is not None and (lv := _LEVELS_ONLY.match(run)) and _LEVEL_ACTS.match(run + after, lv.end()):
        return [lv.end()], True  # levels of government as the subject: 乡镇(街道)要…, 各市要…
    if made_to_act and (lv := _LEVELS_ONLY.fullmatch(run)) and lv.end() >= 2:
        return [lv.end()], True  # levels of government made to act: 由各县（市、区）…
    found = list(_NAMED_ORG.finditer(run))
    ends = found[:1]
    for m in found[1:]:  # a name goes on past an ending only into another one close by (…办公室数字政府专班)
        gap = run[ends[-1].end():m.start()]  # …or into what belongs to it: 气象主管机构所属的气象台站
        if len(gap) - (len(owned.group()) if (owned := _BELONGS.match(gap)) else 0) > _NAMED_GAP:
            break
        ends.append(m)
    if not ends and short and (at := min(((i + len(n)) for n in short if (i := run.find(n)) >= 0), default=0)):
        return [at], False  # a short name the document gave a unit: 爱卫会
    return [m.end() for m in ends], False


# a case handed over to a body that deals with it is that body's duty: 移交公安机关依法处理, 移送司法机关追究刑事责任
_HANDED_TO = re.compile(r"(?:移交|移送)(?:给|給|至)?(?:所在地的?)?$")
_HANDLES = re.compile(r"(?:依法|依照|按照)?(?:处理|處理|查处|查處|处置|處置|处罚|處罰|追究|办理|辦理)")
_BELONGS = re.compile(r"所属的?|所屬的?|下设的?|下設的?")
# levels of government standing for their governments, as a subject before 要/应当/负责: 乡镇(街道)要…, 县(市、区)要…, 市县要…
_LEVELS_ONLY = re.compile(r"各?(?:、?(?:省|市|州|县|縣|区|區|乡镇|鄉鎮|乡|鄉|镇|鎮|街道)级?(?:[（(\ue000][\u4e00-\u9fff、\ue000]{1,6}"
                          r"[）)\ue000])?){1,3}")
_CLAUSE_OPENS = re.compile(r"(?<![^，,。；;：:！？!?\n\s\u3000])")  # at the text's start or after punctuation
_LEVEL_ACTS = re.compile(r"要|应当|應當|负责|負責|对|對|向|与|與|抓好|举办|舉辦|制定|组建|組建|派驻|派駐|成立|建立|开展|開展|做好")
# an item of a list of units before the last: a short run of characters and the 、 after it
_LIST_ITEM = re.compile(r"(?<![^、，,。；;：:！？!?\n\s\u3000（）()「」“”《》])([^、，,。；;：:！？!?\n\s\u3000（）()「」“”《》]{1,20})、$")
_LIST_ITEM_TEXT = re.compile(r"[\u4e00-\u9fff]{1,20}")
