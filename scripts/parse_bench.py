"""Time a fresh process's corpus load: parsed, or read back from the parsed-document cache (bench/README.md).

    PYTHONPATH=src .venv/bin/python scripts/parse_bench.py CORPUS_DIR [--cache DIR] [--runs 5]

Runs each way ``--runs`` times, alternated, each in its own process, and prints the medians and their ratio. The
cache folder is filled by a first, untimed run."""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHILD = ("import sys, time\nfrom pathlib import Path\nfrom askplan.corpus import load_corpus\n"
         "cache = Path(sys.argv[2]) if len(sys.argv) > 2 else None\n"
         "t = time.perf_counter(); load_corpus(Path(sys.argv[1]), cache=cache)\n"
         "print(time.perf_counter() - t)\n")


def timed(*args: str) -> float:
    out = subprocess.run([sys.executable, "-c", CHILD, *args], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.mkdtemp(prefix="askplan-parsed-")))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    timed(str(args.corpus), str(args.cache))  # fill the cache
    parse, cached = [], []
    for _ in range(args.runs):
        parse.append(timed(str(args.corpus)))
        cached.append(timed(str(args.corpus), str(args.cache)))
    p, c = statistics.median(parse), statistics.median(cached)
    print(f"parse {p:.3f} s, cached read {c:.3f} s (medians of {args.runs}), ratio {p / c:.1f}x")


if __name__ == "__main__":
    main()
