"""The offline extractive answerer: quoted sentences, cited, and no model.

It quotes the sentences of the retrieved passages that hold the most of the question's terms
(weighted by the index's IDF, so rare names count most), picking each next sentence for the terms
not yet covered (another passage's on a tie), and cites each one. It refuses when the evidence is
weak: the best passage's cosine similarity to the question plus the best sentence's share of the
question's terms falls below `min_evidence`.

A follow-up (one that opens with "and", "what about", ... or leans on a pronoun such as "it" or
"they") is asked together with the previous standalone question.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from qa.config import Settings
from qa.text import split_sentences, terms
from qa.types import Answer, AnswerStream, Citation, Passage, Retrieval, Turn

HEADER_CREDIT = 0.5
MIN_SENTENCE_CHARS = 20

_CONNECTIVE = re.compile(r"^\s*(and|but|also|so|then|what about|how about)\b", re.IGNORECASE)
_PRONOUNS = frozenset("it its they them their theirs he him his she her hers this that these those there".split())


def is_follow_up(question: str) -> bool:
    """Whether a question leans on an earlier one."""
    words = re.findall(r"[a-z']+", question.lower())
    return bool(_CONNECTIVE.match(question)) or any(w in _PRONOUNS for w in words)


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

    def stream(self, retrieval: Retrieval) -> AnswerStream:
        """The answer, a cited sentence a piece."""
        chosen = self._choose(retrieval)
        return AnswerStream(self._pieces(chosen)) if chosen else AnswerStream.refusal()

    def condense(self, history: Sequence[Turn], question: str) -> str:
        """A follow-up asked together with the previous standalone question; any other question as it is."""
        return f"{history[-1].standalone} {question}" if history and is_follow_up(question) else question

    def _pieces(self, chosen: list[_Sentence]) -> Iterator[str | Answer]:
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
            used = {s.passage.node_id for s in chosen}
            rest = [s for s in candidates if all(s is not c for c in chosen)]
            if not rest:
                break
            following = max(rest, key=lambda s: (coverage(s, covered), s.passage.node_id not in used, coverage(s), -s.rank))
            if coverage(following, covered) < self.settings.min_added_coverage:
                break
            chosen.append(following)
            covered |= following.terms & weights.keys()
        return chosen


def _sentences(passages: list[Passage]) -> list[_Sentence]:
    seen: set[str] = set()
    found = []
    for rank, passage in enumerate(passages):
        header = frozenset(terms(f"{passage.title} {passage.source}"))
        for text in split_sentences(passage.text):
            if len(text) < MIN_SENTENCE_CHARS or text in seen:
                continue
            seen.add(text)
            found.append(_Sentence(text, passage, rank, frozenset(terms(text)), header))
    return found
