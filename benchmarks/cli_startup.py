"""How long the `qa` command takes from a cold process: `qa --help`, a bad filter (refused before
anything heavy loads), and a first question against an index.

    .venv/bin/python benchmarks/cli_startup.py --index .qa-mh [--runs 5]

Each command runs `--runs` times in a fresh process after one untimed warm-up run (so the files
are in the page cache, as on a machine that has run qa before); the median and the spread of the
wall times are printed. Run it on an idle machine: other load changes the figures.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

QA = str(Path(sys.executable).with_name("qa"))
QUESTION = "Who is the CEO of OpenAI?"


def wall(command: list[str], runs: int) -> list[float]:
    subprocess.run(command, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="An index folder to ask (the MultiHop-RAG one for the issue's figures).")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    commands = {
        "qa --help": [QA, "--help"],
        "qa ask --since bad (refused)": [QA, "ask", QUESTION, "--since", "yesterday", "--index", args.index],
        "qa ask (cold, first question)": [QA, "ask", QUESTION, "--index", args.index],
    }
    print("| command | median s | min s | max s | runs |\n| --- | --- | --- | --- | --- |")
    for name, command in commands.items():
        times = wall(command, args.runs)
        print(f"| {name} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} | {len(times)} |", flush=True)


if __name__ == "__main__":
    main()
