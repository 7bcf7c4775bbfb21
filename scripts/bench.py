"""Benchmark: cold start, index build time, warm `ask` latency (p50/p95 over 200 questions).

    .venv/bin/python scripts/bench.py [--questions eval/questions.jsonl] [--n 200] [--repeat 3]

Prints medians over --repeat runs; the machine is shared and noisy, so compare ratios, not absolutes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def cold_start(index_dir: Path) -> float:
    """Wall time of a fresh process answering one question from a built index (imports + model + index)."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "askplan", "ask", "谁牵头碳达峰工作", "--index", str(index_dir)],
                   check=True, capture_output=True)
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, default=REPO / "eval" / "questions.jsonl")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from askplan.config import Settings
    from askplan.service import AskplanService

    questions = [json.loads(line)["question"] for line in args.questions.read_text(encoding="utf-8").splitlines()
                 if line.strip()]
    questions = (questions * (args.n // max(len(questions), 1) + 1))[: args.n]
    with tempfile.TemporaryDirectory() as tmp:
        service = AskplanService(Settings(index_dir=Path(tmp)))
        t0 = time.perf_counter()
        service.encoder()
        model_load = time.perf_counter() - t0
        builds = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            service.build()
            builds.append(time.perf_counter() - t0)
        service.retriever()
        service.ask("预热")
        runs = []
        for _ in range(args.repeat):
            latencies = []
            for q in questions:
                t0 = time.perf_counter()
                service.ask(q)
                latencies.append((time.perf_counter() - t0) * 1000)
            runs.append(latencies)
        colds = [cold_start(Path(tmp)) for _ in range(args.repeat)]
    p50 = statistics.median(percentile(r, 0.50) for r in runs)
    p95 = statistics.median(percentile(r, 0.95) for r in runs)
    print(f"measures/passages: {len(service.corpus.measures)}/{service.retriever().index.manifest.passages}")
    print(f"model load (in process, cached model): {model_load:.2f} s")
    print(f"index build: median {statistics.median(builds):.2f} s over {args.repeat} runs")
    print(f"cold start (new process, one answer): median {statistics.median(colds):.2f} s")
    print(f"warm ask over {len(questions)} questions: p50 {p50:.1f} ms, p95 {p95:.1f} ms "
          f"(median of {args.repeat} runs); p95/p50 = {p95 / p50:.2f}")


if __name__ == "__main__":
    main()
