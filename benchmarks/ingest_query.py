"""Ingest and query figures on a corpus and question set (MultiHop-RAG by default).

    .venv/bin/python benchmarks/ingest_query.py --out /tmp/bench

Measures: ingest wall time and peak RSS (a `qa ingest` subprocess), chunk count, the time the same
chunks take to embed alone, re-ingest of the unchanged corpus, and per-question retrieval and
retrieval + extractive-answer latency with Hits@4/Hits@10/MRR@10 on a split of the questions.
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

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "multihop-rag"


def timed_cli(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, result.stdout.strip()


def embed_alone(index_dir: Path) -> tuple[int, float]:
    """Embed the index's own chunk texts again, timed without model loading."""
    from llama_index.core.schema import MetadataMode

    from qa import Archive
    from qa.embeddings import load_embed_model

    archive = Archive(index_dir)
    nodes = archive.index.vector_store.get_nodes(node_ids=None)
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    model = load_embed_model(archive.settings.embed_model, archive.settings.embed_batch_size)
    model.get_text_embedding("warm up")
    started = time.perf_counter()
    model.get_text_embedding_batch(texts)
    return len(texts), time.perf_counter() - started


def query_figures(index_dir: Path, questions_path: Path, split: str, limit: int | None) -> dict:
    from qa import Archive
    from qa.metrics import hit_ranks, hits_at, reciprocal_rank

    questions = json.loads(questions_path.read_text())
    start = {"dev": 0, "test": 1}[split]
    chosen = questions[start::2][:limit]
    archive = Archive(index_dir)
    archive.ask("warm up")
    retrieval_ms, answer_ms, hits4, hits10, mrr = [], [], [], [], []
    refused_null = refused_answerable = nulls = 0
    for q in chosen:
        started = time.perf_counter()
        passages = archive.retrieve(q["query"])
        retrieval_ms.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        answer = archive.ask(q["query"])
        answer_ms.append((time.perf_counter() - started) * 1000)
        if q["question_type"] == "null_query":
            nulls += 1
            refused_null += answer.refused
            continue
        refused_answerable += answer.refused
        hits = hit_ranks([p.text for p in passages], [e["fact"] for e in q["evidence_list"]])
        hits4.append(hits_at(hits, 4))
        hits10.append(hits_at(hits, 10))
        mrr.append(reciprocal_rank(hits))

    def pct(values: list[float], p: float) -> float:
        return round(statistics.quantiles(values, n=100)[int(p) - 1], 1)

    return {
        "split": split,
        "questions": len(chosen),
        "answerable": len(hits10),
        "hits@4": round(statistics.mean(hits4), 4),
        "hits@10": round(statistics.mean(hits10), 4),
        "mrr@10": round(statistics.mean(mrr), 4),
        "retrieval_ms_p50": pct(retrieval_ms, 50),
        "retrieval_ms_p95": pct(retrieval_ms, 95),
        "ask_ms_p50": pct(answer_ms, 50),
        "ask_ms_p95": pct(answer_ms, 95),
        "refused_null": f"{refused_null}/{nulls}",
        "refused_answerable": f"{refused_answerable}/{len(hits10)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus.json")
    parser.add_argument("--questions", type=Path, default=SHARED / "MultiHopRAG.json")
    parser.add_argument("--out", type=Path, required=True, help="Working folder; the index goes in OUT/index.")
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--limit", type=int, default=None, help="At most this many questions.")
    parser.add_argument("--skip-ingest", action="store_true", help="Reuse OUT/index as it is.")
    args = parser.parse_args()

    index_dir = args.out / "index"
    figures: dict = {}
    if not args.skip_ingest:
        seconds, summary = timed_cli("ingest", str(args.corpus), "--index", str(index_dir), "--rebuild", "-q")
        figures["ingest_s"] = round(seconds, 1)
        figures["ingest_summary"] = summary
        figures["ingest_peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
        seconds, summary = timed_cli("ingest", str(args.corpus), "--index", str(index_dir), "-q")
        figures["reingest_unchanged_s"] = round(seconds, 2)
        figures["reingest_summary"] = summary
        chunks, seconds = embed_alone(index_dir)
        figures["chunks"] = chunks
        figures["embed_alone_s"] = round(seconds, 1)
        figures["ingest_over_embed"] = round(figures["ingest_s"] / seconds, 3)
    figures["query"] = query_figures(index_dir, args.questions, args.split, args.limit)
    print(json.dumps(figures, indent=2))
    (args.out / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
