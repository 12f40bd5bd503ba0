"""Scale figures: ingest memory as the corpus grows, and query latency on a 100,000-chunk index,
with the embedded store and on a Chroma server.

    .venv/bin/python benchmarks/scale.py memory --copies 1 5 --out /tmp/scale
    .venv/bin/python benchmarks/scale.py latency --source /tmp/scale/x1/index --out /tmp/scale

`memory` ingests N copies of MultiHop-RAG's corpus (each copy's articles under other urls, so
they are new articles to embed) with `qa ingest` in a fresh process per size, and reports its
peak RSS beside the size of the index it made.

`latency` makes a 100,000-chunk index without embedding again: it copies the chunks of a built
index (their vectors included) under new article ids until there are enough, once into an
embedded store and once into a `chroma run` server, lets the archive rebuild its BM25 index and
docstore from Chroma (timed), and asks MultiHop-RAG dev questions: p50 / p95 of retrieval plus
the extractive answer, after one untimed warm-up question.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "multihop-rag"
QA = str(Path(sys.executable).parent / "qa")
PAGE = 2000


def folder_mib(folder: Path) -> float:
    return round(sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20, 1)


def write_copies(corpus: Path, copies: int, folder: Path) -> Path:
    """The corpus `copies` times over as JSONL; copy k > 0 has '#copy-k' on each url."""
    records = json.loads(corpus.read_text())
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "articles.jsonl"
    with path.open("w") as out:
        for k in range(copies):
            for record in records:
                url = record["url"] if k == 0 else f"{record['url']}#copy-{k}"
                out.write(json.dumps({**record, "url": url}) + "\n")
    return path


def memory(args: argparse.Namespace) -> dict:
    figures = {}
    for copies in args.copies:
        folder = args.out / f"x{copies}"
        corpus = write_copies(args.corpus, copies, folder / "corpus")
        started = time.perf_counter()
        ingest = subprocess.Popen(
            [QA, "ingest", str(corpus), "--index", str(folder / "index"), "--rebuild", "-q"], stdout=subprocess.PIPE, text=True
        )
        _, status, usage = os.wait4(ingest.pid, 0)
        summary = ingest.stdout.read().strip() if ingest.stdout else ""
        if status:
            raise SystemExit(f"qa ingest failed for {copies} copies: {summary}")
        figures[f"x{copies}"] = {
            "articles": copies * len(json.loads(args.corpus.read_text())),
            "ingest_s": round(time.perf_counter() - started, 1),
            "peak_rss_mib": round(usage.ru_maxrss / 1024),
            "index_mib": folder_mib(folder / "index"),
            "summary": summary,
        }
        print(json.dumps(figures[f"x{copies}"]), flush=True)
    return figures


def fill(source: Path, settings: object, chunks: int) -> dict:
    """Copy the source index's chunks, vectors included, under new article ids until `chunks`."""
    from qa.index import Index

    source_collection = Index(settings.model_copy(update={"index_dir": source, "chroma_url": None})).collection
    target = Index(settings, create=True, rebuild=True)
    total = source_collection.count()
    started = time.perf_counter()
    with target.writing():
        target.begin_change()
        copy = 0
        while target.collection.count() < chunks:
            for offset in range(0, total, PAGE):
                page = source_collection.get(include=["embeddings", "documents", "metadatas"], limit=PAGE, offset=offset)
                ids, metadatas = [], []
                for chunk_id, meta in zip(page["ids"], page["metadatas"], strict=True):
                    article = f"{meta['document_id']}#fill-{copy}"
                    node = json.loads(meta["_node_content"])
                    node["id_"] = chunk_id.replace(meta["document_id"], article, 1)
                    node["relationships"]["1"]["node_id"] = article
                    ids.append(node["id_"])
                    metadatas.append(
                        {
                            **meta,
                            "_node_content": json.dumps(node),
                            "document_id": article,
                            "doc_id": article,
                            "ref_doc_id": article,
                        }
                    )
                room = chunks - target.collection.count()
                if room <= 0:
                    break
                target.collection.add(
                    ids=ids[:room],
                    embeddings=page["embeddings"][:room],
                    documents=page["documents"][:room],
                    metadatas=metadatas[:room],
                )
            copy += 1
    return {"chunks": target.collection.count(), "fill_s": round(time.perf_counter() - started, 1)}


def ask_all(settings: object, questions: list[str]) -> dict:
    from qa import Archive

    archive = Archive(settings=settings)
    started = time.perf_counter()
    archive.stats()
    opened = time.perf_counter() - started
    archive.ask(questions[0])
    timings = []
    for question in questions:
        started = time.perf_counter()
        archive.answer(archive.retrieve(question))
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {
        "open_s": round(opened, 1),
        "questions": len(timings),
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
    }


def latency(args: argparse.Namespace) -> dict:
    from qa import Settings

    from chroma_server import chroma_server

    questions = [q["query"] for q in json.loads((SHARED / "MultiHopRAG.json").read_text())[0::2]][: args.questions]
    figures = {}
    embedded = Settings(index_dir=args.out / "100k-embedded")
    figures["embedded"] = {**fill(args.source, embedded, args.chunks), **ask_all(embedded, questions)}
    print(json.dumps(figures["embedded"]), flush=True)
    with chroma_server(args.out / "100k-server" / "chroma") as url:
        served = Settings(index_dir=args.out / "100k-server" / "local", chroma_url=url)
        fill(args.source, served, args.chunks)
        second_machine = Settings(index_dir=args.out / "100k-server" / "second-machine", chroma_url=url)
        figures["server"] = {"chunks": args.chunks, **ask_all(second_machine, questions)}
    print(json.dumps(figures["server"]), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    mem = commands.add_parser("memory", help="peak RSS of `qa ingest` at several corpus sizes")
    mem.add_argument("--corpus", type=Path, default=SHARED / "corpus.json")
    mem.add_argument("--copies", type=int, nargs="+", default=[1, 5])
    mem.add_argument("--out", type=Path, required=True)
    lat = commands.add_parser("latency", help="query latency on a large index, embedded and on a server")
    lat.add_argument("--source", type=Path, required=True, help="A built index whose chunks are copied.")
    lat.add_argument("--chunks", type=int, default=100_000)
    lat.add_argument("--questions", type=int, default=300)
    lat.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    figures = memory(args) if args.command == "memory" else latency(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{args.command}.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
