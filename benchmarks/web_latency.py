"""Time to first streamed answer text and to the full answer in the web chat (medians of N).

    .venv/bin/python benchmarks/web_latency.py http://127.0.0.1:7860/ [--runs 10]

Streams the chat's /respond endpoint through gradio_client and notes when the reply first holds
answer text and when the last update (answer and sources) arrives.
"""

from __future__ import annotations

import argparse
import statistics
import time

from gradio_client import Client

QUESTION = "Who traveled to Moscow for talks with Putin?"


def reply_text(history: list[dict]) -> str:
    """The text of the last chat message (a string, or a list of content blocks)."""
    content = history[-1]["content"] if history else ""
    return content if isinstance(content, str) else " ".join(block.get("text", "") for block in content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--question", default=QUESTION)
    args = parser.parse_args()
    client = Client(args.url, verbose=False)
    first, full = [], []
    for _ in range(args.runs + 1):
        started = time.perf_counter()
        first_text = None
        for history, _sources, _ in client.submit(args.question, [], "", "", [], 10, api_name="/respond"):
            if first_text is None and reply_text(history).strip("… "):
                first_text = time.perf_counter() - started
        first.append(first_text)
        full.append(time.perf_counter() - started)
    first, full = first[1:], full[1:]
    print(
        f"{args.runs} runs after one warm-up: first text median {statistics.median(first) * 1000:.0f} ms, "
        f"full answer median {statistics.median(full) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
