"""Choose the answerability scorer's threshold on development rounds the scorer was not fitted on.

``askplan calibrate`` fits the scorer and sets a threshold that keeps the scorer's own out-of-fold false
abstention under a budget. What a user meets is the whole pipeline's false abstention (answer types and scorer)
on documents and writers the fit never saw. This reads a saved ``scripts/rounds.py`` run of such rounds (each
question's p(answerable) is in it), prints how false abstention and abstention recall move with the threshold, and
picks the highest threshold whose pooled false abstention stays within ``--max-false-abstain``. ``--write`` puts it
in the model's shipped calibration file (weights unchanged) with a note saying how it was chosen.

    .venv/bin/python scripts/rounds.py run VAL later3 later8 ...         # development rounds outside the fit
    .venv/bin/python scripts/choose_threshold.py VAL [--max-false-abstain 0.05] [--write]

A question an answer type refused stays refused at any threshold; one answered without a scorer (a clause number)
stays answered. Held-out rounds must never be passed here.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def refused(row: dict, threshold: float) -> bool:
    p = row.get("confidence")
    return (not row["answered"] and row.get("check") != "scorer") or (p is not None and p < threshold)


def rates(rows: list[dict], threshold: float) -> tuple[float, float]:
    answerable = [r for r in rows if r["gold"]]
    unanswerable = [r for r in rows if not r["gold"]]
    return (sum(refused(r, threshold) for r in answerable) / max(1, len(answerable)),
            sum(refused(r, threshold) for r in unanswerable) / max(1, len(unanswerable)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", help="a saved rounds.py run (NAME of --work/NAME.json)")
    parser.add_argument("--work", type=Path, default=ROOT / ".rounds")
    parser.add_argument("--max-false-abstain", type=float, default=0.05)
    parser.add_argument("--write", action="store_true", help="write the threshold into the shipped calibration")
    args = parser.parse_args()

    from askplan.answerability.scorer import CALIBRATION_DIR, load_calibration, save_calibration
    from askplan.config import DEFAULT_MODEL

    saved = json.loads((args.work / f"{args.run}.json").read_text(encoding="utf-8"))
    if held := [name for name, data in saved.items() if data["held_out"]]:
        sys.exit(f"{', '.join(held)} held out: choose a threshold on development rounds only")
    rows = [r for data in saved.values() for r in data["results"]]
    scored = sorted({r["confidence"] for r in rows if r.get("confidence") is not None})
    cal = load_calibration(DEFAULT_MODEL, CALIBRATION_DIR)
    if cal is None:
        sys.exit(f"no shipped calibration for {DEFAULT_MODEL}")
    # the thresholds worth trying: the current one and just above each scored question's p
    candidates = sorted({cal.threshold, *(math.nextafter(p, 1.0) for p in scored if p > cal.threshold)})
    chosen = cal.threshold
    for t in candidates:
        fa, _ = rates(rows, t)
        if fa > args.max_false_abstain:
            break
        chosen = t
    print(f"{len(rows)} questions of {', '.join(saved)}")
    for t in sorted({cal.threshold, chosen, *(round(cal.threshold + 0.025 * i, 4) for i in range(1, 9))}):
        fa, ar = rates(rows, t)
        mark = "  <- now" if t == cal.threshold else "  <- chosen" if t == chosen else ""
        print(f"threshold {t:.4f}: false abstention {fa:.3f}, abstention recall {ar:.3f}{mark}")
    if args.write and chosen != cal.threshold:
        chosen = math.ceil(chosen * 1e6) / 1e6
        fa, ar = rates(rows, chosen)
        note = (f"{cal.note.split('; threshold')[0]}; threshold {chosen} chosen on development rounds outside the "
                f"fit ({', '.join(saved)}: {len(rows)} questions) as the highest keeping the pipeline's false "
                f"abstention <= {args.max_false_abstain:.1%} there (it gives {fa:.3f}, abstention recall {ar:.3f})")
        path = save_calibration(replace(cal, threshold=chosen, note=note), CALIBRATION_DIR)
        print(f"wrote {path}: threshold {chosen}")


if __name__ == "__main__":
    main()
