"""What the HTTP API adds to an answer: each question asked in-process (`Archive.ask`) and through
the served API on 127.0.0.1, the difference taken question by question.

    .venv/bin/python benchmarks/api_overhead.py --index .qa [--questions evals/factoid_dev.jsonl] [--limit 50]

The app is served in this process over the same Archive (uvicorn in a thread, as `qa serve`
runs it). A first pass asks every question both ways, so that models, caches and connections
are warm; the timed pass then asks each question in-process, as a plain completion, as a
streamed completion (to its last byte) and through /api/ask, in turn. Prints the medians and
95th percentiles of the in-process time and of each call's overhead over it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from qa import Archive, Settings
from qa.server import running


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True)
    parser.add_argument("--questions", type=Path, default=Path("evals/factoid_dev.jsonl"))
    parser.add_argument("--limit", type=int, default=50)
    parser.add_argument("--port", type=int, default=7890)
    args = parser.parse_args()
    lines = args.questions.read_text().splitlines()[: args.limit]
    questions = [json.loads(line)["question"] for line in lines if line.strip()]
    archive = Archive(settings=Settings(index_dir=args.index, host="127.0.0.1", port=args.port))

    with running(archive) as url, httpx.Client(base_url=url, timeout=120) as http:

        def completion(question: str) -> None:
            body = {"model": "qa", "messages": [{"role": "user", "content": question}]}
            http.post("v1/chat/completions", json=body).raise_for_status()

        def streamed(question: str) -> None:
            body = {"model": "qa", "messages": [{"role": "user", "content": question}], "stream": True}
            with http.stream("POST", "v1/chat/completions", json=body) as reply:
                for _ in reply.iter_bytes():
                    pass

        def api_ask(question: str) -> None:
            http.post("api/ask", json={"question": question}).raise_for_status()

        calls: dict[str, Callable[[str], None]] = {
            "POST /v1/chat/completions": completion,
            "POST /v1/chat/completions (stream)": streamed,
            "POST /api/ask": api_ask,
        }
        for question in questions:
            archive.ask(question)
            for call in calls.values():
                call(question)
        inprocess: list[float] = []
        overheads: dict[str, list[float]] = {name: [] for name in calls}
        for question in questions:
            alone = timed(lambda q=question: archive.ask(q))
            inprocess.append(alone)
            for name, call in calls.items():
                overheads[name].append(timed(lambda q=question, c=call: c(q)) - alone)

    print(f"{len(questions)} questions from {args.questions}, index {args.index}\n")
    print("| path | p50 ms | p95 ms |\n| --- | --- | --- |")
    print(f"| `Archive.ask` in-process | {statistics.median(inprocess):.1f} | {percentile(inprocess, 0.95):.1f} |")
    for name, values in overheads.items():
        print(f"| {name}: overhead | {statistics.median(values):.1f} | {percentile(values, 0.95):.1f} |")


if __name__ == "__main__":
    main()
