"""Answers with citations: the Answer and Citation contract, and the offline extractive answerer.

The extractive answerer quotes the sentences of the retrieved passages that hold the most of the
question's terms (weighted by the index's IDF, so rare names count most), picking each next
sentence for the terms not yet covered (another passage's on a tie), and cites each one. It
refuses when the evidence is weak: the best passage's cosine similarity to the question plus the
best sentence's share of the question's terms falls below `min_evidence`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from qa.config import Settings
from qa.lexicon import terms
from qa.retrieve import Passage, Retrieval

REFUSAL = "Not found in the corpus: none of the retrieved articles answers this question."
HEADER_CREDIT = 0.5
MIN_SENTENCE_CHARS = 20


@dataclass(frozen=True)
class Citation:
    """One numbered source of an answer: the article, the passage and the sentence that supports it."""

    n: int
    title: str
    source: str
    published: str
    url: str
    path: str
    text: str
    quote: str
    score: float

    @classmethod
    def from_passage(cls, n: int, passage: Passage, quote: str) -> Citation:
        meta = passage.metadata
        return cls(
            n=n,
            title=meta.get("title", ""),
            source=meta.get("source", ""),
            published=meta.get("published", ""),
            url=meta.get("url", ""),
            path=meta.get("path", ""),
            text=passage.text,
            quote=quote,
            score=round(passage.score, 6),
        )


@dataclass(frozen=True)
class Answer:
    """An answer whose every claim carries a [n] marker pointing at one of its citations.

    `dropped_markers` counts markers a model wrote to sources that did not exist (removed)."""

    text: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    dropped_markers: int = 0

    def to_dict(self) -> dict:
        return {"answer": self.text, "refused": self.refused, "citations": [asdict(c) for c in self.citations]}


def refusal(text: str = REFUSAL) -> Iterator[str | Answer]:
    """An answer stream that declines: the text, then the refused Answer."""
    yield text
    yield Answer(text, refused=True)


def foreign_outlet_refusal(outlets: list[str]) -> Iterator[str | Answer]:
    """The refusal for a question about outlets the archive has no articles from."""
    names = ", ".join(outlets[:-1]) + f" or {outlets[-1]}" if len(outlets) > 1 else outlets[0]
    return refusal(f"{REFUSAL.split(':')[0]}: it has no articles from {names}.")


@dataclass(frozen=True)
class _Sentence:
    text: str
    passage: Passage
    rank: int
    terms: frozenset[str]
    header_terms: frozenset[str]


class ExtractiveAnswerer:
    """Builds an Answer from retrieved passages alone: no model, no network."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def stream(self, retrieval: Retrieval) -> Iterator[str | Answer]:
        """Yield the answer text piece by piece (a cited sentence each), then the Answer."""
        chosen = self._choose(retrieval)
        if not chosen:
            yield from refusal()
            return
        citations: list[Citation] = []
        pieces: list[str] = []
        for sentence in chosen:
            citation = Citation.from_passage(len(citations) + 1, sentence.passage, sentence.text)
            citations.append(citation)
            piece = f"{sentence.text} [{citation.n}]"
            yield piece if not pieces else " " + piece
            pieces.append(piece)
        yield Answer(" ".join(pieces), refused=False, citations=citations)

    def _choose(self, retrieval: Retrieval) -> list[_Sentence]:
        weights = retrieval.term_weights
        total = sum(weights.values())
        if not total:
            return []

        def coverage(sentence: _Sentence, covered: frozenset[str] = frozenset()) -> float:
            own = sum(w for t, w in weights.items() if t in sentence.terms and t not in covered)
            header = sum(
                w for t, w in weights.items() if t in sentence.header_terms and t not in sentence.terms and t not in covered
            )
            return (own + HEADER_CREDIT * header) / total

        candidates = _sentences(retrieval.passages)
        if not candidates:
            return []
        best = max(candidates, key=lambda s: (coverage(s), -s.rank))
        if not coverage(best) or retrieval.best_similarity + coverage(best) < self.settings.min_evidence:
            return []
        chosen = [best]
        covered = frozenset(best.terms & weights.keys())
        while len(chosen) < self.settings.answer_sentences:
            used = {s.passage.node.node_id for s in chosen}
            rest = [s for s in candidates if all(s is not c for c in chosen)]
            if not rest:
                break
            following = max(
                rest, key=lambda s: (coverage(s, covered), s.passage.node.node_id not in used, coverage(s), -s.rank)
            )
            if coverage(following, covered) < self.settings.min_added_coverage:
                break
            chosen.append(following)
            covered |= following.terms & weights.keys()
        return chosen


def _sentences(passages: list[Passage]) -> list[_Sentence]:
    seen: set[str] = set()
    found = []
    for rank, passage in enumerate(passages):
        meta = passage.metadata
        header = frozenset(terms(f"{meta.get('title', '')} {meta.get('source', '')}"))
        for text in split_sentences(passage.text):
            if len(text) < MIN_SENTENCE_CHARS or text in seen:
                continue
            seen.add(text)
            found.append(_Sentence(text, passage, rank, frozenset(terms(text)), header))
    return found


@lru_cache(maxsize=1)
def _punkt():  # type: ignore[no-untyped-def]
    """English Punkt, trained, from the NLTK data llama-index-core ships (its default splitter is untrained)."""
    from llama_index.core.utils import globals_helper
    from nltk.tokenize import PunktTokenizer

    globals_helper.wait_for_nltk_check()
    return PunktTokenizer("english")


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, paragraph by paragraph, stripped."""
    return [s.strip() for paragraph in text.split("\n") if paragraph.strip() for s in _punkt().tokenize(paragraph)]
