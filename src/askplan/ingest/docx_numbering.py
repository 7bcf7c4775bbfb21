"""Word's automatic numbering written out: a paragraph numbered by a list definition (一、 （一） 1.) carries no
number in its text, so the label is rebuilt from ``numbering.xml`` (format and level text per level), counting
per list and level as Word does. Formats other than decimal and Chinese counting are left unnumbered."""

from __future__ import annotations

from askplan.numerals import to_cn_numeral

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CHINESE = {"chineseCounting", "chineseCountingThousand", "ideographTraditional", "japaneseCounting",
            "ideographDigital", "chineseLegalSimplified"}


class Numbering:
    def __init__(self, document):
        self._levels: dict[tuple[str, str], tuple[str, str, int]] = {}  # (numId, ilvl) -> (fmt, lvlText, start)
        self._counts: dict[tuple[str, str], int] = {}
        self._abstract: dict[str, str] = {}
        self._styles: dict[str, object] = {}  # paragraph style id -> its w:numPr (List Number and the like)
        for style in document.styles.element.iter(_W + "style"):
            ppr = style.find(_W + "pPr")
            numpr = ppr.find(_W + "numPr") if ppr is not None else None
            if numpr is not None:
                self._styles[style.get(_W + "styleId")] = numpr
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract = {a.get(_W + "abstractNumId"): a for a in root.iter(_W + "abstractNum")}
        for num in root.iter(_W + "num"):
            ref = num.find(_W + "abstractNumId")
            definition = abstract.get(ref.get(_W + "val")) if ref is not None else None
            if definition is None:
                continue
            num_id = num.get(_W + "numId")
            self._abstract[num_id] = ref.get(_W + "val")
            for lvl in definition.iter(_W + "lvl"):
                fmt, text, start = _val(lvl, "numFmt"), _val(lvl, "lvlText"), _val(lvl, "start") or "1"
                self._levels[(num_id, lvl.get(_W + "ilvl"))] = (fmt, text, int(start) if start.isdigit() else 1)

    def label(self, paragraph) -> str:
        """The number Word would print before ``paragraph`` (a ``w:p`` element), or ''."""
        ppr = paragraph.find(_W + "pPr")
        numpr = ppr.find(_W + "numPr") if ppr is not None else None
        if numpr is None and ppr is not None and ppr.find(_W + "pStyle") is not None:
            numpr = self._styles.get(_val(ppr, "pStyle"))
        if numpr is None:
            return ""
        num_id, ilvl = _val(numpr, "numId"), _val(numpr, "ilvl") or "0"
        level = self._levels.get((num_id, ilvl))
        if level is None:
            return ""
        key = (self._abstract.get(num_id, num_id), ilvl)
        self._counts[key] = self._counts.get(key, level[2] - 1) + 1
        for (abstract, deeper), _ in list(self._counts.items()):  # a level restarts below a new higher number
            if abstract == key[0] and deeper.isdigit() and ilvl.isdigit() and int(deeper) > int(ilvl):
                del self._counts[(abstract, deeper)]
        fmt, text, _ = level
        if fmt == "decimal":
            number = str(self._counts[key])
        elif fmt in _CHINESE:
            number = to_cn_numeral(self._counts[key])
        else:
            return ""
        return text.replace(f"%{int(ilvl) + 1}", number) if text else ""


def _val(element, name: str) -> str:
    child = element.find(_W + name)
    return child.get(_W + "val", "") if child is not None else ""
