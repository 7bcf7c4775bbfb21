"""Chaos experiments on index builds and index files; prints how many were tried, detected, recovered, lost and
silent. It uses the fake hash encoder (``--model hash-bigram-64``) over the small fixture corpus by default, so a
build takes about a second and hundreds of experiments fit in minutes; the layout, lock, checksums and value
checks under test are the same for the real model.

    PYTHONPATH=src .venv/bin/python scripts/chaos.py --kills 200 --corruptions 200 --concurrent 20

- kill: a real ``askplan index --force`` subprocess dies at a random named step (``ASKPLAN_FAULT``, half of
  them) or is sent SIGKILL after a random delay (the other half). Then the index must load (the old build or the
  new one, checksums verified), and the next build must succeed and leave no debris. lost = no usable index
  after the kill; silent = an index that loads but fails ``verify`` or a search.
- corrupt: one random damage to a copy of a good index — flipped bytes, truncation, a deleted or added file,
  appended garbage, a number edited inside valid JSON, a broken pointer. detected = the load refused it;
  silent = it loaded anyway; recovered = a rebuild over it gives a verified index with no debris.
- concurrent: two builds started together; both must succeed (the second waits) and leave one store.

Exit status 1 when anything was lost or silent.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from askplan.corpus import load_corpus  # noqa: E402
from askplan.encoders import load_encoder  # noqa: E402
from askplan.errors import AskplanError  # noqa: E402
from askplan.index import faults  # noqa: E402
from askplan.index.layout import POINTER, resolve  # noqa: E402
from askplan.index.store import build_index, load_index  # noqa: E402
from askplan.index.verify import verify_index  # noqa: E402
from askplan.search.retriever import Retriever  # noqa: E402

CORRUPTIONS = ("flip", "truncate", "delete", "extra-file", "append", "json-number", "pointer")


class Lab:
    def __init__(self, corpus_dir: Path, model: str, work: Path, rng: random.Random) -> None:
        self.corpus_dir, self.model, self.work, self.rng = corpus_dir, model, work, rng
        self.corpus = load_corpus(corpus_dir)
        self.encoder = load_encoder(model, work / "home")
        self.env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "ASKPLAN_HOME": str(work / "home")}
        self.env.pop("ASKPLAN_FAULT", None)

    def build_args(self, index_dir: Path) -> list[str]:
        return [sys.executable, "-m", "askplan", "index", "--force", "--corpus", str(self.corpus_dir),
                "--index", str(index_dir), "--model", self.model]

    def usable(self, index_dir: Path) -> tuple[bool, str | None]:
        """(loads, silent problem): loads with checksums verified; then verify and one search must hold."""
        try:
            loaded = load_index(index_dir, self.corpus, self.model)
        except AskplanError:
            return False, None
        report = verify_index(index_dir)
        if not report["ok"]:
            return True, f"loaded but verify says {report['problems']}"
        try:
            Retriever(loaded, self.encoder).legs(self.corpus.measures[0].title or "发展")
        except AskplanError as exc:
            return True, f"loaded but a search failed: {exc}"
        return True, None

    def rebuild_clean(self, index_dir: Path) -> bool:
        build_index(self.corpus, self.encoder, index_dir)
        loads, silent = self.usable(index_dir)
        return loads and silent is None and debris(index_dir) == set()


def debris(index_dir: Path) -> set[str]:
    keep = {POINTER, ".lock", os.readlink(index_dir / POINTER)} if (index_dir / POINTER).is_symlink() else {".lock"}
    return {p.name for p in index_dir.iterdir()} - keep


def kill_experiment(lab: Lab, index_dir: Path, build_time: float, tally: Counter) -> None:
    before = resolve(index_dir).name
    if lab.rng.random() < 0.5:
        step = lab.rng.choice(faults.STEPS)
        subprocess.run(lab.build_args(index_dir), env={**lab.env, "ASKPLAN_FAULT": step},
                       capture_output=True, timeout=120)
    else:
        proc = subprocess.Popen(lab.build_args(index_dir), env=lab.env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(lab.rng.uniform(0.3, 1.0) * build_time)
        tally["finished before the signal"] += proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    tally["tried"] += 1
    loads, silent = lab.usable(index_dir)
    if not loads:
        tally["lost"] += 1
    elif silent:
        tally["silent"] += 1
        print(f"silent after kill: {silent}", file=sys.stderr)
    else:
        tally["old kept" if resolve(index_dir).name == before else "new in place"] += 1
    tally["left debris"] += bool(debris(index_dir))
    tally["recovered"] += lab.rebuild_clean(index_dir)


def corrupt(rng: random.Random, index_dir: Path) -> str:
    store = resolve(index_dir)
    files = sorted(p for p in store.rglob("*") if p.is_file())
    target = rng.choice(files)
    kind = rng.choice(CORRUPTIONS)
    data = bytearray(target.read_bytes())
    if kind == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= rng.randint(1, 255)
        target.write_bytes(bytes(data))
    elif kind == "truncate":
        target.write_bytes(bytes(data[: rng.randrange(len(data))]))
    elif kind == "delete":
        target.unlink()
    elif kind == "extra-file":
        (target.parent / f"extra-{rng.randrange(1000)}.npy").write_bytes(b"\x93NUMPY junk")
    elif kind == "append":
        target.write_bytes(bytes(data) + os.urandom(rng.randint(1, 64)))
    elif kind == "json-number":
        target = rng.choice([p for p in files if p.suffix in (".json", ".jsonl")])
        text = target.read_text(encoding="utf-8")
        digits = [i for i, ch in enumerate(text) if ch.isdigit()]
        at = rng.choice(digits)
        text = text[:at] + str((int(text[at]) + rng.randint(1, 9)) % 10) + text[at + 1:]
        target.write_text(text, encoding="utf-8")
    else:
        (index_dir / POINTER).unlink()
        (index_dir / POINTER).symlink_to(rng.choice(["store-0000000000000000", "../elsewhere", "store"]))
    return f"{kind} {target.relative_to(index_dir) if kind != 'pointer' else POINTER}"


def corrupt_experiment(lab: Lab, golden: Path, tally: Counter, n: int) -> None:
    index_dir = lab.work / f"corrupt-{n}"
    shutil.copytree(golden, index_dir, symlinks=True)
    what = corrupt(lab.rng, index_dir)
    tally["tried"] += 1
    try:
        load_index(index_dir, lab.corpus, lab.model)
    except AskplanError:
        tally["detected"] += 1
    else:
        tally["silent"] += 1
        print(f"silent corruption: {what}", file=sys.stderr)
    if lab.rebuild_clean(index_dir):
        tally["recovered"] += 1
    else:
        tally["lost"] += 1
    shutil.rmtree(index_dir)


def concurrent_experiment(lab: Lab, index_dir: Path, tally: Counter) -> None:
    procs = [subprocess.Popen(lab.build_args(index_dir), env=lab.env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(2)]
    codes = [p.wait(timeout=120) for p in procs]
    tally["tried"] += 1
    loads, silent = lab.usable(index_dir)
    ok = codes == [0, 0] and loads and not silent and debris(index_dir) == set()
    tally["recovered" if ok else "lost"] += 1


def run(args: argparse.Namespace) -> dict[str, Counter]:
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="askplan-chaos-") as tmp:
        lab = Lab(args.corpus, args.model, Path(tmp), rng)
        golden = Path(tmp) / "golden"
        build_index(lab.corpus, lab.encoder, golden)
        index_dir = Path(tmp) / "index"
        build_index(lab.corpus, lab.encoder, index_dir)
        t0 = time.perf_counter()
        subprocess.run(lab.build_args(index_dir), env=lab.env, capture_output=True, check=True, timeout=120)
        build_time = time.perf_counter() - t0
        results = {"kill": Counter(), "corrupt": Counter(), "concurrent": Counter()}
        for i in range(args.kills):
            kill_experiment(lab, index_dir, build_time, results["kill"])
            _progress("kill", i + 1, args.kills, results["kill"])
        for i in range(args.corruptions):
            corrupt_experiment(lab, golden, results["corrupt"], i)
            _progress("corrupt", i + 1, args.corruptions, results["corrupt"])
        for i in range(args.concurrent):
            concurrent_experiment(lab, index_dir, results["concurrent"])
            _progress("concurrent", i + 1, args.concurrent, results["concurrent"])
    return results


def _progress(name: str, i: int, n: int, tally: Counter) -> None:
    if i % 20 == 0 or i == n:
        print(f"{name} {i}/{n}: {dict(tally)}", file=sys.stderr, flush=True)


def table(results: dict[str, Counter]) -> str:
    lines = ["| experiment | tried | detected | recovered | lost | silent | notes |",
             "|---|---:|---:|---:|---:|---:|---|"]
    k, c, w = results["kill"], results["corrupt"], results["concurrent"]
    if k["tried"]:
        lines.append(f"| kill a build | {k['tried']} | – | {k['recovered']} | {k['lost']} | {k['silent']} | "
                     f"old index kept {k['old kept']}, new one in place {k['new in place']} "
                     f"({k['finished before the signal']} builds finished before their SIGKILL); "
                     f"debris left by the kill {k['left debris']}, all removed by the next build |")
    if c["tried"]:
        lines.append(f"| corrupt a file | {c['tried']} | {c['detected']} | {c['recovered']} | {c['lost']} | "
                     f"{c['silent']} | detected at load, before any answer |")
    if w["tried"]:
        lines.append(f"| two builds at once | {w['tried']} | – | {w['recovered']} | {w['lost']} | 0 | "
                     "the second waited for the lock |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--corruptions", type=int, default=50)
    parser.add_argument("--concurrent", type=int, default=5)
    parser.add_argument("--corpus", type=Path, default=REPO / "tests" / "fixtures")
    parser.add_argument("--model", default="hash-bigram-64", help="fast fake encoder by default")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    results = run(args)
    print(json.dumps({k: dict(v) for k, v in results.items()}) if args.json else table(results))
    bad = sum(r["lost"] + r["silent"] for r in results.values())
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
