"""Ingest figures on a corpus (MultiHop-RAG's by default).

    .venv/bin/python benchmarks/ingest.py --out /tmp/bench

Measures: ingest wall time and peak RSS (a `qa ingest --rebuild` subprocess), chunk count,
re-ingest of the unchanged corpus (a second `qa ingest`, process start included), the time the
same chunks take to embed alone (model loaded beforehand), and the time loading the model takes
(importing torch and sentence-transformers included), which an ingest also pays. Query latency
and retrieval quality come from `qa eval` on the index this leaves in OUT/index (see
evals/README.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "multihop-rag"


def timed_cli(*args: str) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "qa.cli", *args], capture_output=True, text=True, check=True)
    return time.perf_counter() - started, result.stdout.strip()


def embed_alone(index_dir: Path) -> tuple[int, float, float]:
    """Embed the index's own chunk texts again: the number of chunks, the seconds loading the model
    took, and the seconds embedding took once it was loaded."""
    from llama_index.core.schema import MetadataMode

    from qa import Archive
    from qa.embeddings import load_embed_model

    archive = Archive(index_dir)
    nodes = archive.index.vector_store.get_nodes(node_ids=None)
    texts = [n.get_content(metadata_mode=MetadataMode.EMBED) for n in nodes]
    started = time.perf_counter()
    model = load_embed_model(archive.settings)
    model.get_text_embedding("warm up")
    loading = time.perf_counter() - started
    started = time.perf_counter()
    model.get_text_embedding_batch(texts)
    return len(texts), loading, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus.json")
    parser.add_argument("--out", type=Path, required=True, help="Working folder; the index goes in OUT/index.")
    args = parser.parse_args()

    index_dir = args.out / "index"
    figures: dict = {}
    seconds, summary = timed_cli("ingest", str(args.corpus), "--index", str(index_dir), "--rebuild", "-q")
    figures["ingest_s"] = round(seconds, 1)
    figures["ingest_summary"] = summary
    figures["ingest_peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    seconds, summary = timed_cli("ingest", str(args.corpus), "--index", str(index_dir), "-q")
    figures["reingest_unchanged_s"] = round(seconds, 2)
    figures["reingest_summary"] = summary
    chunks, loading, seconds = embed_alone(index_dir)
    figures["chunks"] = chunks
    figures["embed_alone_s"] = round(seconds, 1)
    figures["model_load_s"] = round(loading, 1)
    figures["ingest_over_embed"] = round(figures["ingest_s"] / seconds, 3)
    figures["ingest_over_load_and_embed"] = round(figures["ingest_s"] / (loading + seconds), 3)
    print(json.dumps(figures, indent=2))
    (args.out / "figures.json").write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
