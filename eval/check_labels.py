#!/usr/bin/env python3
"""Sanity-check the askplan evaluation labels in eval/questions.jsonl.

Standalone: stdlib only, plus the optional ``opencc`` module (installed in the
project venv) for Traditional/Simplified normalisation.  Run with

    /work/main/.venv/bin/python eval/check_labels.py [questions.jsonl]

Checks
  * every line is valid JSON with the required fields; ids unique (q001 ...);
  * ``kind`` is one of the known kinds; optional ``script``/``noise`` values are valid;
  * gold ids exist in the parsed corpus (plan measures 0..36, outline sections,
    Shanghai regulation articles, RCEP items);
  * unanswerable <=> gold == [];
  * lead: ``answer`` occurs verbatim in (one of) the gold measure text(s) and is a
    responsibility clause (plan: ``(責任單位:...)``);
  * target: ``answer`` occurs in the gold measure after Traditional->Simplified
    normalisation of both sides;
  * clause: the number named in the question equals the gold number;
  * every plan measure 0..36 is covered by at least one question (questions.jsonl; a note for other sets);
  * ``script: traditional`` questions really contain Traditional characters, and
    other questions are in Simplified script (only when opencc is available).
Prints a summary (counts per kind, per document, per script/noise flag) and exits
non-zero on any failure.
"""

from __future__ import annotations

import collections
import contextlib
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
DEFAULT_QUESTIONS = Path(__file__).resolve().parent / "questions.jsonl"

PLAN = "anhui-yrd-14fyp-action-plan-2021"
OUTLINE = "yrd-integration-outline-2019"
SHANGHAI = "shanghai-yrd-demo-zone-regulation-2024"
RCEP = "anhui-rcep-opening-2022"

KINDS = {"topic", "keyword", "clause", "lead", "target", "multi", "unanswerable"}
REQUIRED = ("id", "question", "gold", "kind")
OPTIONAL = ("answer", "script", "noise", "_line")  # answer: required for lead and target questions

try:  # optional
    import opencc  # type: ignore

    _T2S = opencc.OpenCC("t2s")

    def t2s(text: str) -> str:
        return _T2S.convert(text)

    HAVE_OPENCC = True
except Exception:  # pragma: no cover - fallback without opencc
    HAVE_OPENCC = False

    def t2s(text: str) -> str:
        return text


# --------------------------------------------------------------------------- numerals
CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "兩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def cn2int(s: str) -> int:
    """Chinese numeral (up to 999) or ASCII/full-width digits -> int."""
    s = s.strip()
    s = s.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if s.isdigit():
        return int(s)
    total, cur = 0, 0
    for ch in s:
        if ch in CN_DIGITS:
            cur = CN_DIGITS[ch]
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "百":
            total += (cur or 1) * 100
            cur = 0
        else:
            raise ValueError(f"not a numeral: {s!r}")
    return total + cur


NUM = r"[0-9０-９]+|[零〇一二两兩三四五六七八九十百]+"


# --------------------------------------------------------------------------- corpus parsing
def body(path: Path) -> str:
    """Text without the front-matter header between the first two '---' lines."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("---"):
        end = text.index("\n---", 3)
        text = text[end + 4 :]
    return text


def parse_plan() -> dict[str, str]:
    """Plan measures: lines like '(二十五)推進碳達峰碳中和。[編輯]' start measure n;
    chapter headings '一、總體要求[編輯]' close the previous measure; 0 = text before
    the first chapter heading (notice + preamble)."""
    measure_re = re.compile(r"^[(（]([一二三四五六七八九十]+)[)）].*\[編輯\]\s*$")
    chapter_re = re.compile(r"^[一二三四五六七八九十]+、.*\[編輯\]\s*$")
    measures: dict[str, list[str]] = {"0": []}
    cur: str | None = "0"
    for line in body(CORPUS / f"{PLAN}.txt").splitlines():
        m = measure_re.match(line)
        if m:
            cur = str(cn2int(m.group(1)))
            if cur in measures:
                raise SystemExit(f"plan: duplicate measure {cur}")
            measures[cur] = [line]
            continue
        if chapter_re.match(line):
            cur = None
            continue
        if cur is not None:
            measures[cur].append(line)
    return {k: "\n".join(v) for k, v in measures.items()}


def parse_outline() -> dict[str, str]:
    """'## 前言' -> 0; '### 第X节' under '## 第Y章' -> 'Y.X'.  Chapter lead-in text
    (between '## 第Y章' and its first section) is not an addressable measure."""
    sections: dict[str, list[str]] = {}
    chapter: int | None = None
    cur: str | None = None
    for line in body(CORPUS / f"{OUTLINE}.txt").splitlines():
        if line.startswith("## "):
            title = line[3:].strip()
            m = re.match(rf"第({NUM})章", title)
            if title == "前言":
                cur = "0"
                sections[cur] = []
            elif m:
                chapter = cn2int(m.group(1))
                cur = None
            else:  # 目录 etc.
                cur = None
            continue
        if line.startswith("### "):
            m = re.match(rf"第({NUM})节", line[4:].strip())
            if m and chapter is not None:
                cur = f"{chapter}.{cn2int(m.group(1))}"
                sections[cur] = [line]
            else:
                cur = None
            continue
        if cur is not None:
            sections[cur].append(line)
    return {k: "\n".join(v) for k, v in sections.items()}


def parse_shanghai() -> dict[str, str]:
    arts: dict[str, list[str]] = {}
    cur: str | None = None
    for line in body(CORPUS / f"{SHANGHAI}.txt").splitlines():
        m = re.match(rf"^第({NUM})条[\s　]", line)
        if m:
            cur = str(cn2int(m.group(1)))
            arts[cur] = [line]
            continue
        if line.startswith("#"):
            cur = None
            continue
        if cur is not None:
            arts[cur].append(line)
    return {k: "\n".join(v) for k, v in arts.items()}


def parse_rcep() -> dict[str, str]:
    items: dict[str, list[str]] = {}
    cur: str | None = None
    item_re = re.compile(r"^[\s　]*([0-9]+)\.")
    head_re = re.compile(r"^[\s　]*([一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
    for line in body(CORPUS / f"{RCEP}.txt").splitlines():
        m = item_re.match(line)
        if m:
            cur = m.group(1)
            items[cur] = [line]
            continue
        if head_re.match(line):
            cur = None
            continue
        if cur is not None:
            items[cur].append(line)
    return {k: "\n".join(v) for k, v in items.items()}


def load_measures() -> dict[str, str]:
    out: dict[str, str] = {}
    for doc, parsed in (
        (PLAN, parse_plan()),
        (OUTLINE, parse_outline()),
        (SHANGHAI, parse_shanghai()),
        (RCEP, parse_rcep()),
    ):
        for k, v in parsed.items():
            out[f"{doc}/{k}"] = v
    return out


# --------------------------------------------------------------------------- clause numbers
STRIP_RE = re.compile(r"[「“\"]?十[四五]五[」”\"]?")  # 十四五 / 十五五 are not clause numbers


def clause_refs(question: str) -> list[str]:
    """Numbers the question names as clause/article/section references."""
    q = STRIP_RE.sub("", question)
    refs: list[str] = []
    for m in re.finditer(rf"第({NUM})章第({NUM})[节節]", q):
        refs.append(f"{cn2int(m.group(1))}.{cn2int(m.group(2))}")
    q = re.sub(rf"第({NUM})章第({NUM})[节節]", " ", q)
    patterns = [
        rf"[(（]({NUM})[)）]",  # （二十五） / (25)
        rf"第({NUM})[条條项項款]",  # 第25条 / 第十条 / 第三十一项
        rf"措[施失]({NUM})",  # 措施二十五
        rf"(?<![第0-9一二三四五六七八九十])({NUM})[条條项項]",  # 二十五条
        rf"第({NUM})(?=[讲講说說是的啥呢，,？?\s]|$)",  # 方案第七讲什么
    ]
    for pat in patterns:
        for m in re.finditer(pat, q):
            with contextlib.suppress(ValueError):
                refs.append(str(cn2int(m.group(1))))
    # de-duplicate, keep order
    seen: list[str] = []
    for r in refs:
        if r not in seen:
            seen.append(r)
    return seen


# --------------------------------------------------------------------------- checks
def main(argv: list[str]) -> int:
    qpath = Path(argv[1]) if len(argv) > 1 else DEFAULT_QUESTIONS
    measures = load_measures()
    plan_ids = sorted((k for k in measures if k.startswith(PLAN + "/")), key=lambda k: int(k.rsplit("/", 1)[1]))
    errors: list[str] = []
    warnings: list[str] = []

    # corpus sanity
    expected_plan = {f"{PLAN}/{n}" for n in range(37)}
    if set(plan_ids) != expected_plan:
        errors.append(
            f"plan parse: expected measures 0..36, got {len(plan_ids)}: missing {sorted(expected_plan - set(plan_ids))}"
        )
    n_rcep = sum(1 for k in measures if k.startswith(RCEP + "/"))
    n_sh = sum(1 for k in measures if k.startswith(SHANGHAI + "/"))
    if n_rcep != 24:
        errors.append(f"rcep parse: expected 24 items, got {n_rcep}")
    if n_sh != 66:
        errors.append(f"shanghai parse: expected 66 articles, got {n_sh}")

    rows: list[dict] = []
    for lineno, raw in enumerate(qpath.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            errors.append(f"line {lineno}: blank line")
            continue
        try:
            row = json.loads(raw)
        except json.JSONDecodeError as e:
            errors.append(f"line {lineno}: invalid JSON: {e}")
            continue
        if not isinstance(row, dict):
            errors.append(f"line {lineno}: not an object")
            continue
        row["_line"] = lineno
        rows.append(row)

    ids = collections.Counter(r.get("id") for r in rows)
    for qid, n in ids.items():
        if n > 1:
            errors.append(f"duplicate id {qid} ({n}x)")
    questions = collections.Counter(t2s(str(r.get("question", ""))).strip() for r in rows)
    for q, n in questions.items():
        if n > 1:
            errors.append(f"duplicate question text {q!r} ({n}x)")

    covered: collections.Counter[str] = collections.Counter()
    for r in rows:
        qid = r.get("id", f"<line {r['_line']}>")
        where = f"{qid}"
        missing = [f for f in REQUIRED if f not in r]
        if missing:
            errors.append(f"{where}: missing fields {missing}")
            continue
        if not re.fullmatch(r"[a-z]\d{3,}", str(qid)):
            errors.append(f"{where}: id should look like q001 (one letter per set, then digits)")
        q, gold, kind, answer = r["question"], r["gold"], r["kind"], r.get("answer")
        if not isinstance(q, str) or not q.strip():
            errors.append(f"{where}: empty question")
            continue
        if kind in ("lead", "target") and (not isinstance(answer, str) or not answer.strip()):
            errors.append(f"{where}: a {kind} question needs its answer")
        if kind not in KINDS:
            errors.append(f"{where}: unknown kind {kind!r}")
        extra = set(r) - set(REQUIRED) - set(OPTIONAL)
        if extra:
            errors.append(f"{where}: unexpected fields {sorted(extra)}")
        if "script" in r and r["script"] != "traditional":
            errors.append(f"{where}: script must be 'traditional' if present")
        if "noise" in r and r["noise"] != "typo":
            errors.append(f"{where}: noise must be 'typo' if present")
        if not isinstance(gold, list) or not all(isinstance(g, str) for g in gold):
            errors.append(f"{where}: gold must be a list of strings")
            continue
        if len(set(gold)) != len(gold):
            errors.append(f"{where}: duplicate gold ids")
        for g in gold:
            if g not in measures:
                errors.append(f"{where}: gold id {g!r} does not exist")
        covered.update(g for g in gold if g in measures)

        # script check
        if HAVE_OPENCC:
            simp = t2s(q)
            if r.get("script") == "traditional" and simp == q:
                errors.append(f"{where}: marked traditional but has no Traditional-only characters")
            if r.get("script") != "traditional" and simp != q:
                errors.append(
                    f"{where}: question contains Traditional characters but is not "
                    f"marked script=traditional ({q!r} -> {simp!r})"
                )

        if kind == "unanswerable":
            if gold:
                errors.append(f"{where}: unanswerable question must have gold []")
            continue
        if not gold:
            errors.append(f"{where}: answerable kind {kind!r} with empty gold")
            continue
        if kind == "multi" and len(gold) < 2:
            errors.append(f"{where}: multi question needs 2+ gold ids")

        texts = [measures[g] for g in gold if g in measures]
        if kind == "lead":
            hits = [g for g in gold if g in measures and answer in measures[g]]
            if not hits:
                errors.append(f"{where}: lead answer not found verbatim in gold measure(s): {answer!r}")
            is_clause = (answer.startswith("(責任單位:") and answer.endswith(")")) or (
                re.fullmatch(r"（[^（）]*(负责|牵头|配合)[^（）]*）", answer) is not None
            )
            if not is_clause:
                errors.append(f"{where}: lead answer is not a responsibility clause: {answer!r}")
            if any(g.startswith(PLAN + "/") for g in gold) and answer.count("(責任單位:") != 1:
                errors.append(f"{where}: lead answer must be exactly one responsibility clause")
        elif kind == "target":
            a = t2s(answer)
            if not any(a in t2s(t) for t in texts):
                errors.append(f"{where}: target answer {answer!r} not found in gold measure(s) {gold}")

        if kind == "clause":
            refs = clause_refs(q)
            if len(gold) != 1:
                errors.append(f"{where}: clause question should have exactly one gold id")
            elif not refs:
                errors.append(f"{where}: could not find a clause number in {q!r}")
            else:
                gnum = gold[0].rsplit("/", 1)[1]
                if refs[0] != gnum or len(refs) > 1:
                    errors.append(f"{where}: clause number(s) {refs} in question != gold {gold[0]}")

    # coverage of plan measures
    uncovered = [p for p in sorted(expected_plan, key=lambda k: int(k.rsplit("/", 1)[1])) if covered[p] == 0]
    if uncovered and qpath.resolve() == DEFAULT_QUESTIONS.resolve():
        errors.append(f"plan measures not covered by any question: {uncovered}")
    elif uncovered:
        print(f"note: plan measures no question of this set covers: {uncovered}")

    # ------------------------------------------------------------------ summary
    kinds = collections.Counter(r.get("kind") for r in rows)

    def doc_of(r: dict) -> str:
        docs = {g.split("/")[0] for g in r.get("gold", [])}
        if not docs:
            return "(unanswerable)"
        if docs == {PLAN}:
            return PLAN
        if PLAN in docs:
            return "plan+other"
        return "other:" + ",".join(sorted(docs))

    per_doc = collections.Counter(doc_of(r) for r in rows)
    kinds_plan = collections.Counter(r.get("kind") for r in rows if doc_of(r) in (PLAN, "plan+other"))
    trad = sum(1 for r in rows if r.get("script") == "traditional")
    typo = sum(1 for r in rows if r.get("noise") == "typo")
    trad_kinds = collections.Counter(r.get("kind") for r in rows if r.get("script") == "traditional")
    typo_kinds = collections.Counter(r.get("kind") for r in rows if r.get("noise") == "typo")

    print(f"questions file : {qpath}")
    print(f"opencc         : {'yes' if HAVE_OPENCC else 'no (script checks skipped)'}")
    print(
        f"measures parsed: plan={len(plan_ids)} outline="
        f"{sum(1 for k in measures if k.startswith(OUTLINE + '/'))} shanghai={n_sh} rcep={n_rcep}"
    )
    print(f"questions      : {len(rows)}")
    print("per kind       : " + ", ".join(f"{k}={kinds[k]}" for k in sorted(kinds)))
    print("plan-gold kinds: " + ", ".join(f"{k}={kinds_plan[k]}" for k in sorted(kinds_plan)))
    print("per document   : " + ", ".join(f"{k}={v}" for k, v in sorted(per_doc.items())))
    print(f"traditional    : {trad} (" + ", ".join(f"{k}={v}" for k, v in sorted(trad_kinds.items())) + ")")
    print(f"typo           : {typo} (" + ", ".join(f"{k}={v}" for k, v in sorted(typo_kinds.items())) + ")")
    cov = [covered[p] for p in sorted(expected_plan, key=lambda k: int(k.rsplit("/", 1)[1]))]
    print("plan coverage  : " + " ".join(f"{i}:{c}" for i, c in enumerate(cov)))
    for w in warnings:
        print(f"WARN  {w}")
    for e in errors:
        print(f"FAIL  {e}")
    if errors:
        print(f"\n{len(errors)} failure(s)")
        return 1
    print("\nOK: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
