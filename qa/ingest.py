"""Incremental ingest: read articles, chunk and embed what changed, remove what is gone.

llama-index's IngestionPipeline does the chunking, embedding and hash-based upserts against the
docstore. Removal is done here rather than by its UPSERTS_AND_DELETE strategy, because that
strategy deletes every article not in the current run, and an index may be fed from several
folders: only articles read from the path being ingested now may be removed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain
from pathlib import Path
from typing import Any

from llama_index.core import Document
from llama_index.core.bridge.pydantic import Field
from llama_index.core.ingestion import DocstoreStrategy, IngestionPipeline
from llama_index.core.node_parser import SentenceSplitter
from llama_index.core.schema import BaseNode, TransformComponent
from tqdm import tqdm

from qa.corpus import read_articles
from qa.embeddings import embedding_errors, load_embed_model
from qa.index import Index
from qa.syndication import stories
from qa.types import Article, IngestReport, Meta, Problem, epoch

BATCH_ARTICLES = 64


def to_document(article: Article) -> Document:
    """The llama-index Document for an article: its body, with title, outlet and date as a header
    in the text that is embedded and searched, and every field as metadata for citations and filters."""
    published = article.published
    metadata = {
        Meta.TITLE: article.title,
        Meta.SOURCE: article.source,
        Meta.DATE: published.strftime("%B %-d, %Y") if published else "",
        Meta.PUBLISHED: published.isoformat() if published else "",
        Meta.PUBLISHED_TS: epoch(published) if published else None,
        Meta.URL: article.url,
        Meta.AUTHOR: article.author,
        Meta.CATEGORY: article.category,
        Meta.PATH: article.path,
        Meta.FILE: article.file,
    }
    hidden = [key for key in metadata if key not in Meta.EMBEDDED]
    return Document(
        id_=article.id,
        text=article.body,
        metadata=metadata,
        excluded_embed_metadata_keys=hidden,
        excluded_llm_metadata_keys=hidden,
        metadata_template="{value}",
        text_template="{metadata_str}\n\n{content}",
    )


def _from_file(index: Index, article_id: str) -> bool:
    """Whether the index holds this article as read from a file (which a page or feed item, read
    from the web, may not replace)."""
    document = index.docstore.docs.get(article_id)
    return document is not None and bool(document.metadata.get(Meta.FILE))


def _chunk_id(i: int, doc: BaseNode) -> str:
    return f"{doc.node_id}::{i}"


def ingest(
    index: Index, paths: Sequence[str | Path], *, articles: Iterable[Article | Problem] = (), progress: bool = False
) -> IngestReport:
    """Bring the index in line with the articles under `paths`, and add or update `articles` (read
    from elsewhere: the web); see IngestReport for the outcome."""
    report = IngestReport()
    documents: dict[str, Document] = {}
    protected_files: set[str] = set()
    for item in chain(*(read_articles(path) for path in paths), articles):
        if isinstance(item, Problem):
            report.problems.append(item)
            if item.skipped and item.file:
                protected_files.add(item.file)
        elif item.id in documents:
            report.problems.append(Problem(item.path, f"duplicate of an article already read (id {item.id})"))
        elif not item.file and _from_file(index, item.id):
            report.problems.append(Problem(item.path, f"an article read from a file has this address ({item.id}); not replaced"))
        else:
            documents[item.id] = to_document(item)

    with index.writing(progress=progress):
        _sync(index, documents, paths, protected_files, report, progress)
    return report


def _sync(
    index: Index,
    documents: dict[str, Document],
    paths: Sequence[str | Path],
    protected_files: set[str],
    report: IngestReport,
    progress: bool,
) -> None:
    docstore = index.docstore
    to_embed: list[Document] = []
    for doc_id, document in documents.items():
        if docstore.get_document_hash(doc_id) == document.hash:
            report.unchanged += 1
        else:
            to_embed.append(document)
    gone = _gone(index, paths, set(documents), protected_files)
    if to_embed or gone:
        index.begin_change()
    if to_embed:
        splitter = SentenceSplitter(
            chunk_size=index.settings.chunk_size, chunk_overlap=index.settings.chunk_overlap, id_func=_chunk_id
        )
        pipeline = IngestionPipeline(
            transformations=[
                splitter,
                _ArticleStamp(stories=_stories(index, to_embed)),
                load_embed_model(index.settings),
            ],
            docstore=docstore,
            vector_store=index.vector_store,
            docstore_strategy=DocstoreStrategy.UPSERTS,
            disable_cache=True,
        )
        with (
            tqdm(total=len(to_embed), desc="Embedding", unit="article", disable=not progress) as bar,
            embedding_errors(index.settings),
        ):
            for start in range(0, len(to_embed), BATCH_ARTICLES):
                batch = _chunkable(splitter, to_embed[start : start + BATCH_ARTICLES], report)
                known = sum(docstore.get_document_hash(doc.doc_id) is not None for doc in batch)
                report.updated += known
                report.added += len(batch) - known
                report.chunks += len(pipeline.run(documents=batch)) if batch else 0
                bar.update(min(BATCH_ARTICLES, len(to_embed) - start))
                bar.set_postfix(chunks=report.chunks)
    for doc_id in gone:
        index.vector_store.delete(doc_id)
        docstore.delete_document(doc_id, raise_error=False)
    report.removed = len(gone)


def _chunkable(splitter: SentenceSplitter, batch: list[Document], report: IngestReport) -> list[Document]:
    """The articles of a batch that can be chunked; the others reported and left as they were (the
    splitter raises ValueError, e.g. for a title longer than a chunk). Tried before the pipeline
    runs, because its upsert deletes an article's old chunks before chunking the new text."""
    try:
        splitter(batch)
    except ValueError as error:
        if len(batch) > 1:
            return [ok for document in batch for ok in _chunkable(splitter, [document], report)]
        meta = batch[0].metadata
        reason = f"could not be chunked: {str(error).splitlines()[0][:200]}"
        report.problems.append(Problem(str(meta.get(Meta.PATH) or batch[0].doc_id), reason, file=str(meta.get(Meta.FILE, ""))))
        return []
    return batch


class _ArticleStamp(TransformComponent):
    """Marks each chunk with its article's hash and number of chunks, so that the docstore can be
    rebuilt from Chroma alone and an article whose ingest was cut short is recognised; and a
    syndicated copy's chunks with the story it belongs to (on the chunks only: the article's hash
    stays that of its own text)."""

    stories: dict[str, str] = Field(default_factory=dict)

    def __call__(self, nodes: Sequence[BaseNode], **kwargs: Any) -> Sequence[BaseNode]:
        counts = Counter(node.ref_doc_id for node in nodes)
        for node in nodes:
            node.metadata[Meta.ARTICLE_HASH] = node.source_node.hash if node.source_node else ""
            node.metadata[Meta.ARTICLE_CHUNKS] = counts[node.ref_doc_id]
            story = self.stories.get(node.ref_doc_id or "")
            if story:
                node.metadata[Meta.STORY] = story
            for excluded in (node.excluded_embed_metadata_keys, node.excluded_llm_metadata_keys):
                excluded.extend(key for key in (*Meta.BOOKKEEPING, Meta.STORY) if key not in excluded)
        return nodes


def _stories(index: Index, documents: Sequence[Document]) -> dict[str, str]:
    """The stories that the articles being embedded are syndicated copies of (see qa.syndication)."""
    bm25 = index.bm25
    existing = {a: (bm25.article_body(a), bm25.info(a).source, bm25.story(a)) for a in bm25.article_ids()} if bm25 else {}
    return stories({d.doc_id: (d.text, str(d.metadata.get(Meta.SOURCE, ""))) for d in documents}, existing)


def _gone(index: Index, paths: Iterable[str | Path], read: set[str], protected_files: set[str]) -> list[str]:
    """Articles ingested earlier from files under `paths` that this read no longer found."""
    scopes = [Path(p).resolve() for p in paths]
    gone = []
    for doc_id, document in index.docstore.docs.items():
        file = document.metadata.get(Meta.FILE, "")
        if doc_id in read or file in protected_files or not file:
            continue
        if any(Path(file).is_relative_to(scope) for scope in scopes):
            gone.append(doc_id)
    return gone
