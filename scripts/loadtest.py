"""Load test for a running ``askplan serve``: N ``/api/ask`` requests from C concurrent clients over a list of
varied questions, bounded in time; prints throughput, p50/p95/p99 latency and the error count.

    askplan serve --port 8000 &                   # wait for "index ready"
    .venv/bin/python scripts/loadtest.py --url http://127.0.0.1:8000 --requests 2000 --concurrency 32
    .venv/bin/python scripts/loadtest.py --requests 50000 --pid "$(pgrep -f 'askplan serve')" --every 10000

Exit status 1 when any request failed or the run hit ``--timeout-total`` before finishing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

PLAIN = (
    "谁牵头碳达峰工作？", "能耗双控谁负责？", "皖北振兴是哪一条？", "2025年城镇化率目标是多少？",
    "第二十五条讲什么？", "誰牽頭碳達峰工作？", "长三角生态绿色一体化发展示范区由谁负责",
    "科技创新共同体建设", "G60科创走廊", "数字长三角建设", "新能源汽车产业集群",
    "省商务厅牵头的任务有哪些", "RCEP原产地规则", "工业互联网平台补贴", "跨省通办政务服务",
    "长江生态环境保护修复", "合肥都市圈", "皖江城市带承接产业转移", "医疗卫生资源共享",
    "第五章第二节讲什么", "养老服务一体化", "轨道上的长三角", "第十二条", "火星上有没有水",
    "如何申请营业执照", "水污染联防联治谁负责", "虹桥国际开放枢纽", "2026年GDP增长目标",
    "大运河文化带", "安徽自贸试验区",
)
QUESTIONS: tuple[dict, ...] = (
    *({"q": q} for q in PLAIN),
    {"q": "碳达峰", "doc": "anhui-yrd-14fyp-action-plan-2021", "k": 3},
    {"q": "示范区执委会职责", "doc": "shanghai-yrd-demo-zone-regulation-2024", "k": 10},
    {"q": "生态补偿机制", "k": 20},
    {"q": "推進基本公共服務便利共享", "k": 1},
)


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)  # seconds, successful requests only
    errors: Counter = field(default_factory=Counter)  # "HTTP 503" / exception name -> count
    elapsed: float = 0.0
    timed_out: bool = False


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of ``values`` (0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summary(run: Run, requested: int) -> dict:
    done = len(run.latencies) + sum(run.errors.values())
    ms = [x * 1000 for x in run.latencies]
    return {
        "requested": requested, "completed": done, "ok": len(run.latencies),
        "errors": sum(run.errors.values()),
        "error_kinds": dict(run.errors), "timed_out": run.timed_out, "seconds": round(run.elapsed, 2),
        "throughput_rps": round(done / run.elapsed, 1) if run.elapsed else 0.0,
        "latency_ms": {"p50": round(percentile(ms, 50), 1), "p95": round(percentile(ms, 95), 1),
                       "p99": round(percentile(ms, 99), 1), "max": round(max(ms, default=0.0), 1),
                       "mean": round(sum(ms) / len(ms), 1) if ms else 0.0},
    }


async def _one(client: httpx.AsyncClient, params: dict, run: Run) -> None:
    t0 = time.perf_counter()
    try:
        response = await client.get("/api/ask", params=params)
    except httpx.HTTPError as exc:
        run.errors[type(exc).__name__] += 1
        return
    if response.status_code == 200 and response.json().get("hits") is not None:
        run.latencies.append(time.perf_counter() - t0)
    else:
        run.errors[f"HTTP {response.status_code}"] += 1


async def _worker(client: httpx.AsyncClient, jobs, total: int, run: Run) -> None:
    for index in jobs:  # a shared iterator: each index is taken by exactly one worker
        if index >= total:
            return
        await _one(client, QUESTIONS[index % len(QUESTIONS)], run)


async def load(url: str, total: int, concurrency: int, timeout_total: float, request_timeout: float) -> Run:
    run = Run()
    jobs = itertools.count()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=request_timeout, limits=limits) as client:
        t0 = time.perf_counter()
        workers = [asyncio.create_task(_worker(client, jobs, total, run)) for _ in range(concurrency)]
        done, pending = await asyncio.wait(workers, timeout=timeout_total)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        run.elapsed = time.perf_counter() - t0
        run.timed_out = bool(pending)
        for task in done:
            if task.exception():
                run.errors[type(task.exception()).__name__] += 1
    return run


async def wait_ready(url: str, budget: float) -> str:
    """Poll ``/healthz`` until the server reports ``ok`` (or ``budget`` seconds pass); the last status."""
    deadline, status = time.monotonic() + budget, "unreachable"
    async with httpx.AsyncClient(base_url=url, timeout=10) as client:
        while time.monotonic() < deadline:
            try:
                status = (await client.get("/healthz")).json().get("status", "?")
            except (httpx.HTTPError, ValueError):
                status = "unreachable"
            if status in ("ok", "error"):
                return status
            await asyncio.sleep(1)
    return status


def _args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="server base URL")
    parser.add_argument("--requests", type=int, default=2000, help="how many /api/ask requests")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent clients")
    parser.add_argument("--timeout-total", type=float, default=300.0, help="stop after this many seconds")
    parser.add_argument("--request-timeout", type=float, default=60.0, help="per-request timeout, seconds")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--pid", type=int, help="the server's pid: report its RSS and threads (from /proc)")
    parser.add_argument("--every", type=int, default=0,
                        help="with --pid: run in rounds of this many requests, reporting memory after each")
    return parser.parse_args(argv)


def _rounds(total: int, every: int) -> list[int]:
    if every <= 0:
        return [total]
    return [every] * (total // every) + ([total % every] if total % every else [])


def memory_of(pid: int, after: int) -> dict:
    """RSS (MB) and thread count of a process on Linux, after ``after`` requests."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return {"requests": after, "rss_mb": round(int(fields["VmRSS"].split()[0]) / 1024, 1),
            "threads": int(fields["Threads"])}


def _memory_line(m: dict) -> str:
    return f"after {m['requests']:>6} requests: RSS {m['rss_mb']} MB, {m['threads']} threads"


def _print(report: dict) -> None:
    lat = report["latency_ms"]
    print(f"requests   {report['completed']}/{report['requested']} in {report['seconds']} s"
          f"{'  (stopped by --timeout-total)' if report['timed_out'] else ''}")
    print(f"throughput {report['throughput_rps']} req/s")
    print(f"latency    p50 {lat['p50']} ms  p95 {lat['p95']} ms  p99 {lat['p99']} ms  "
          f"max {lat['max']} ms  mean {lat['mean']} ms")
    print(f"errors     {report['errors']} {report['error_kinds'] or ''}")
    for m in report.get("memory", ()):
        print(_memory_line(m))


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    status = asyncio.run(wait_ready(args.url, min(args.timeout_total, 600.0)))
    if status != "ok":
        print(f"server at {args.url} is not ready (healthz: {status}); start it with: askplan serve",
              file=sys.stderr)
        return 1
    run = Run()
    memory = [memory_of(args.pid, 0)] if args.pid else []
    rounds = _rounds(args.requests, args.every if args.pid else 0)
    for size in rounds:
        part = asyncio.run(load(args.url, size, args.concurrency, args.timeout_total, args.request_timeout))
        run.latencies += part.latencies
        run.errors.update(part.errors)
        run.elapsed += part.elapsed
        run.timed_out |= part.timed_out
        if args.pid:
            memory.append(memory_of(args.pid, len(run.latencies) + sum(run.errors.values())))
            if not args.json:
                print(_memory_line(memory[-1]), flush=True)
    report = summary(run, args.requests)
    if memory:
        report["memory"] = memory
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        _print(report)
    return 1 if report["errors"] or report["timed_out"] else 0


if __name__ == "__main__":
    sys.exit(main())
