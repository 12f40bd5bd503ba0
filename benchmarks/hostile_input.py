"""Figures for hostile input: time to answer maximum-length questions and to refuse a 1 MB one,
and the served chat's memory before and after batches of hostile uploads.

    .venv/bin/python benchmarks/hostile_input.py --index .qa-mh --corpus corpus/

The questions are asked of `--index` in this process (after one warm-up question). The uploads go
through a `qa serve` started on a free 127.0.0.1 port over a fresh index of `--corpus`, with the
official gradio_client; its resident memory is read from /proc before and after.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QA = str(Path(sys.executable).with_name("qa"))
QUESTIONS = {
    "2,000 chars of prose": "Which company did the report say was sued by the FTC over the deal, and what did the judge decide? ",
    "2,000 chars of '5-1-'": "5-1-",
    "2,000 chars of 'May 5 '": "May 5 ",
    "2,000 chars of 'Aa '": "Aa ",
}


def question_times(index: str) -> None:
    from qa import Archive, QAError

    archive = Archive(index)
    archive.ask("Who is the CEO of OpenAI?")
    for name, unit in QUESTIONS.items():
        question = (unit * 2000)[:2000]
        times = []
        for _ in range(3):
            started = time.perf_counter()
            archive.ask(question)
            times.append(time.perf_counter() - started)
        print(f"{name}: median {statistics.median(times) * 1000:.0f} ms of 3")
    started = time.perf_counter()
    try:
        archive.ask("Who " * 250_000)
    except QAError as error:
        print(f"1 MB question: refused in {(time.perf_counter() - started) * 1000:.2f} ms: {error}")


def hostile_files(folder: Path) -> list[Path]:
    lines = ['l0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    contents = {
        "bomb.md": ("---\ntitle: Bomb\n" + "\n".join(lines) + "\nauthor: *l9\n---\nBody.\n").encode(),
        "nested.json": b"[" * 100_000 + b"]" * 100_000,
        "title.md": ("---\ntitle: " + "Harbour " * 375 + "\n---\nA body about tides.\n").encode(),
        "photo.md": b"\x89PNG\x00\x00" * 1000,
    }
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in contents]


def resident_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS"):
            return int(line.split()[1]) / 1024
    return float("nan")


def upload_memory(corpus: str) -> None:
    from gradio_client import Client, handle_file

    root = Path(tempfile.mkdtemp(prefix="qa-hostile-"))
    subprocess.run([QA, "ingest", corpus, "--index", str(root / "index"), "-q"], check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open(root / "server.log", "w") as log:
        server = subprocess.Popen([QA, "serve", "--index", str(root / "index"), "--port", str(port)], stderr=log, stdout=log)
    try:
        url = f"http://127.0.0.1:{port}/"
        for _ in range(240):
            try:
                client = Client(url, verbose=False)
                break
            except Exception:
                time.sleep(0.5)
        client.predict("Who traveled to Moscow?", api_name="/ask")
        before = resident_mib(server.pid)
        (root / "files").mkdir()
        files = hostile_files(root / "files")
        for _ in range(5):
            report = client.predict([handle_file(str(f)) for f in files], api_name="/add_files")[0]
        after = resident_mib(server.pid)
        kept = sorted(p.name for p in (root / "index" / "uploads").iterdir() if not p.name.startswith("."))
        print(f"server RSS {before:.0f} MiB before, {after:.0f} MiB after 5 batches of {len(files)} hostile files")
        print(f"kept in uploads/: {kept}")
        print("last report:", str(report).replace("\\", "")[:600])
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--index", required=True, help="An index to ask (the 609-article MultiHop-RAG one for the issue's figures)."
    )
    parser.add_argument("--corpus", default="corpus", help="What the served chat's fresh index holds.")
    args = parser.parse_args()
    question_times(args.index)
    upload_memory(args.corpus)


if __name__ == "__main__":
    main()
