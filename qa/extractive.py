"""The offline extractive answerer: a short typed answer, the sentences that prove it, cited, and
no model.

Sentences of the retrieved passages are scored by their IDF-weighted share of the question's terms
(rare names count most); sentences that only echo the question, and headings, are never quoted.
The question's intent (qa.intent) decides the shape of the answer:
- a person, organization, place, date, number or work: the best-supported entity of that type
  (qa.candidates) as the short answer, then the best sentence that holds it, cited;
- the outlet or the date of a report: from the best passage's metadata;
- yes/no, comparisons and the order of reports: what each article says, side by side, by outlet
  and date, each cited, and no verdict (that needs a model);
- anything else: the best sentence, and a further one only when it adds enough of the question.
It refuses, saying why, when the evidence is weak (best passage's similarity plus best sentence's
coverage below `min_evidence`) or misses a hard constraint of the question: another year, season
or amount in the evidence, or a name in the question that no article of the archive holds (for a
factoid question about one article: that no article found holds, or that the articles of the short
answer do not hold).

A follow-up (one that opens with "and", "what about", ... or leans on a pronoun) is searched for
together with the previous question, but answered for its own words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache

from qa.analysis import named_outlets
from qa.candidates import Candidacy, candidates, clear_winner, only_one_in
from qa.config import Settings
from qa.intent import FACTOID, AnswerType, Constraint, Intent, analyze
from qa.nlp import entities
from qa.text import split_sentences, terms
from qa.types import (
    NOT_FOUND,
    Answer,
    AnswerStream,
    Citation,
    Passage,
    RefusalCode,
    RefusalReason,
    Retrieval,
    Turn,
)

HEADER_CREDIT = 0.5
MIN_SENTENCE_CHARS = 20
SIDE_BY_SIDE = 3
SIDE_BY_SIDE_EVIDENCE = 0.8
"""A question answered side by side sets out what several articles say: one sentence covers less
of it, so it needs this share of the evidence a single answer needs."""
_SIDE_BY_SIDE = frozenset({AnswerType.YES_NO, AnswerType.COMPARISON, AnswerType.ORDER})
TITLES = 3
TITLE_CREDIT = 1.0
FALLBACK = 0.8
CONSTRAINT_CREDIT = 0.5
PASSAGES_CACHED = 2_048
ALTERNATIVES = 0.5

_CONNECTIVE = re.compile(r"^\s*(and|but|also|so|then|what about|how about)\b", re.IGNORECASE)
_PRONOUNS = frozenset("it its they them their theirs he him his she her hers this that these those there".split())
_REPORTS = re.compile(
    r"\b(?:articles?|reports?|reported|stor(?:y|ies)|pieces?|coverage|covered|according to|as per|as noted by|posts?)\b",
    re.IGNORECASE,
)
_APPOSITION = re.compile(
    r"^\W*(?:[a-z]+\s+)?(?:which|what|who|whom|whose|where|when|how)\b[^,]*,\s+(?:the|a|an)\s[^,]+,", re.IGNORECASE
)
_REPORT_DATE = re.compile(r"\bwhen\b.*\b(report|reported|publish|published|cover|covered|write|wrote|post|posted)\b", re.I)


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
    header: frozenset[str]
    coverage: float = 0.0

    @property
    def article(self) -> str:
        return self.passage.article_id


class ExtractiveAnswerer:
    """Builds an Answer from retrieved passages alone: no model, no network."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def stream(self, retrieval: Retrieval) -> AnswerStream:
        """The answer, a cited sentence a piece."""
        return AnswerStream.of(self.answer(retrieval))

    def condense(self, history: Sequence[Turn], question: str) -> str:
        """A follow-up searched for together with the previous standalone question; any other question as it is."""
        return f"{history[-1].standalone} {question}" if history and is_follow_up(question) else question

    def answer(self, retrieval: Retrieval) -> Answer:
        """The Answer to the retrieval's focus question."""
        question = retrieval.focus
        weights = {t: retrieval.term_weights.get(t, 0.0) for t in set(terms(question))}
        split = _sentences(retrieval.passages, question)
        sentences = _scored(split, weights)
        best = max(sentences, key=lambda s: (s.coverage, -s.rank), default=None)
        intent = analyze(question, retrieval.outlets or tuple({p.source for p in retrieval.passages if p.source}))
        needed = self.settings.min_evidence * (SIDE_BY_SIDE_EVIDENCE if intent.type in _SIDE_BY_SIDE else 1.0)
        if best is None or not best.coverage or retrieval.best_similarity + best.coverage < needed:
            return Answer.refusal()
        articles = retrieval.articles or {p.article_id: f"{p.title} {p.text}" for p in retrieval.passages}
        several = _draws_on_several(question, retrieval.outlets)
        missing = _missing_name(intent, question, retrieval, articles, several)
        if missing:
            return _unmet(missing, [])
        exact = set(terms(" ".join(c.text for c in intent.constraints if c.kind in ("year", "month"))))
        topical = {t: w for t, w in weights.items() if t not in exact}
        if topical and exact:
            sentences = _scored(split, topical)
        ranked = sorted(sentences, key=lambda s: (-s.coverage, s.rank))
        evidence = _Evidence(intent, articles, {p.article_id: p.published for p in retrieval.passages}, several)
        if intent.type in _SIDE_BY_SIDE:
            return self._side_by_side(ranked)
        if intent.type is AnswerType.OUTLET or (intent.type is AnswerType.DATE and _REPORT_DATE.search(question)):
            return self._from_metadata(ranked, evidence)
        return self._short(ranked, evidence, question, retrieval.passages) or self._sentences_answer(ranked, evidence, weights)

    def _short(self, ranked: list[_Sentence], evidence: _Evidence, question: str, passages: list[Passage]) -> Answer | None:
        """The best candidate whose evidence meets the constraints, and the best sentence that holds it.
        For a question about one article, the passages found of the article that proves the answer
        must meet them too: a detail the question changed ("the Formation tour", "in its second
        season") may stand elsewhere in a long article, in another story than the one that answers."""
        keys = [Candidacy(s.text, s.coverage * evidence.weight(s.text), s.rank, s.article) for s in ranked]
        found = dict(zip(keys, ranked, strict=True))
        for sentence in ranked[:TITLES]:
            title = Candidacy(sentence.passage.title, TITLE_CREDIT * sentence.coverage, sentence.rank, sentence.article)
            found.setdefault(title, sentence)
        texts = [f"{p.title} {p.text}" for p in passages]
        ranked_candidates = candidates(
            evidence.intent,
            question,
            list(found),
            texts,
            exclude=[p.source for p in passages],
            titles=[p.title for p in passages],
            several=evidence.several,
        )
        winner = clear_winner(ranked_candidates) or only_one_in(keys[0], ranked_candidates)
        if winner is None:
            return None
        holding = [found[e] for e in winner.sentences if winner.text.lower() in found[e].text.lower()]
        proof = max(holding or [found[e] for e in winner.sentences], key=lambda s: (s.coverage, -s.rank))
        support = {proof.article} | {a for a, text in evidence.articles.items() if winner.text.lower() in text.lower()}
        if evidence.unmet([e.text for e in winner.sentences], support):
            return None
        if not evidence.several:
            around = " ".join(p.text for p in passages if p.article_id == proof.article)
            local = replace(evidence, articles={proof.article: f"{proof.passage.title} {around}"})
            missing = local.unmet([proof.text], {proof.article})
            if missing:
                return _unmet(missing, [proof])
        return _compose([proof], short=_with_partner(winner.text, proof.text, evidence.intent))

    def _sentences_answer(self, ranked: list[_Sentence], evidence: _Evidence, weights: dict[str, float]) -> Answer:
        """The best sentence whose article meets the constraints, and further ones that add enough."""
        usable = [s for s in ranked if s.coverage >= ALTERNATIVES * ranked[0].coverage]
        close = [s for s in usable if s.coverage >= FALLBACK * ranked[0].coverage]
        first = next((s for s in close if not evidence.sentence_unmet(s)), None)
        if first is None:
            return _unmet(evidence.sentence_unmet(ranked[0]), [ranked[0]])
        total = sum(weights.values()) or 1.0
        chosen = [first]
        covered = first.terms & weights.keys()
        for sentence in usable:
            if len(chosen) >= self.settings.answer_sentences:
                break
            new = (sentence.terms & weights.keys()) - covered
            if sentence in chosen or sum(weights[t] for t in new) / total < self.settings.min_added_coverage:
                continue
            if sentence.coverage < ALTERNATIVES * first.coverage or evidence.sentence_unmet(sentence):
                continue
            chosen.append(sentence)
            covered |= new
        return _compose(chosen)

    def _side_by_side(self, ranked: list[_Sentence]) -> Answer:
        """What each article says: its best sentence, by outlet and date, one article each."""
        chosen: list[_Sentence] = []
        for sentence in ranked:
            if sentence.coverage < ALTERNATIVES * ranked[0].coverage or len(chosen) >= SIDE_BY_SIDE:
                break
            if all(sentence.article != c.article for c in chosen):
                chosen.append(sentence)
        return _compose(chosen, bylines=True)

    def _from_metadata(self, ranked: list[_Sentence], evidence: _Evidence) -> Answer:
        """Which outlet, or on what day, reported it: from the article of the best sentence."""
        close = [s for s in ranked if s.coverage >= FALLBACK * ranked[0].coverage]
        proof = next((s for s in close if not evidence.sentence_unmet(s)), None)
        if proof is None:
            return _unmet(evidence.sentence_unmet(ranked[0]), [ranked[0]])
        short = proof.passage.source if evidence.intent.type is AnswerType.OUTLET else proof.passage.published
        return _compose([proof], short=short, bylines=True)


def _draws_on_several(question: str, outlets: tuple[str, ...]) -> bool:
    """Whether a question draws on several articles: it names two outlets or two reports, or it
    strings several clauses together (two commas or more, but for the pair around one apposition:
    "which film, the fifth installment of the franchise, arrived")."""
    commas = question.count(",")
    clauses = commas > 2 or (commas == 2 and not _APPOSITION.search(question))
    return len(named_outlets(question, outlets)) > 1 or len(_REPORTS.findall(question)) > 1 or clauses


def _missing_name(
    intent: Intent, question: str, retrieval: Retrieval, articles: dict[str, str], several: bool
) -> Constraint | None:
    """A name of the question that no article of the archive holds; or, for a factoid question about
    one article, a name that none of the articles found holds. (A question that draws on several
    articles may name what only an article not retrieved holds.) A role the articles may write
    another way ("CEO", "chief executive") is the role constraint's to check, not a name."""
    names = [c for c in intent.constraints if c.kind == "entity"]
    roles = {t for c in intent.constraints if c.kind == "role" for form in c.forms for t in terms(form)}
    absent = retrieval.unknown_terms - roles
    unknown = next((c for c in names if set(terms(c.text)) & absent), None)
    if unknown or intent.type not in FACTOID or several:
        return unknown or _unknown_name(question, absent)
    everything = " ".join(articles.values())
    return next((c for c in names if not c.met_by(everything)), None) or _unknown_name(question, absent)


def _with_partner(short: str, sentence: str, intent: Intent) -> str:
    """The short answer and the entity it is joined to by "and" in its sentence ("Steve Witkoff and
    his adviser Jared Kushner traveled ..." answers "who traveled" with both names)."""
    at = sentence.find(short)
    if at < 0:
        return short
    for entity in entities([sentence])[0]:
        if entity.label not in intent.labels or entity.text == short:
            continue
        first, second = sorted([(at, at + len(short), short), (entity.start, entity.end, entity.text)])
        between = sentence[first[1] : second[0]]
        if re.fullmatch(r",?\s+and\s+(?:\w+\s+){0,3}", between):
            return f"{first[2]} and {second[2]}"
    return short


def _unknown_name(question: str, unknown: frozenset[str]) -> Constraint | None:
    """A capitalized word inside the question that no article of the archive holds (a name the
    entity model did not mark)."""
    for match in re.finditer(r"(?<=\w )[A-Z][\w’'-]+", question):
        if set(terms(match.group(0))) & unknown:
            return Constraint("entity", match.group(0), (match.group(0).lower(),))
    return None


@dataclass(frozen=True)
class _Evidence:
    """What the constraint check reads: the question's intent, and each retrieved article's whole
    text and day of publication."""

    intent: Intent
    articles: dict[str, str]
    published: dict[str, str]
    several: bool = False
    """The question draws on several outlets' articles: any article found may meet a constraint."""

    def unmet(self, sentences: Sequence[str], article_ids: Iterable[str]) -> Constraint | None:
        """The first year or month that neither the sentences say nor the articles were published
        in, a role ("the CEO of ...") that no sentence states, the first number that none of the
        articles holds, or, for a factoid question about one article, the first name of the
        question that none of them holds."""
        ids = set(self.articles) if self.several else set(article_ids)
        if self.several:
            sentences = [*sentences, *self.articles.values()]
        for constraint in self.intent.constraints:
            if self._background(constraint):
                continue
            if constraint.kind in ("year", "month"):
                said = any(constraint.met_by(text) for text in sentences)
                if not said and not any(constraint.met_by("", self.published.get(a, "")) for a in ids):
                    return constraint
            elif constraint.kind == "role" and self.intent.type in FACTOID:
                if not any(constraint.met_by(text) for text in sentences):
                    return constraint
            elif self._checked(constraint) and not any(constraint.met_by(self.articles.get(a, "")) for a in ids):
                return constraint
        return None

    def _background(self, constraint: Constraint) -> bool:
        """A year two or more before every article found, in a question that draws on several: a
        recalled fact ("founded in late 2015"), not the time the question is about."""
        years = [int(day[:4]) for day in self.published.values() if day[:4].isdigit()]
        return self.several and constraint.kind == "year" and bool(years) and int(constraint.text) < min(years) - 1

    def _checked(self, constraint: Constraint) -> bool:
        """Numbers are checked in the articles of an answer; names and ordinals of anything ("second
        transplant") only for a factoid question about one article (one that draws on several may
        name what another article holds)."""
        return constraint.kind == "number" or (
            constraint.kind in ("entity", "ordinal") and not self.several and self.intent.type in FACTOID
        )

    @cached_property
    def _exact(self) -> list[Constraint]:
        return [c for c in self.intent.constraints if c.kind in ("year", "month", "number", "ordinal")]

    def weight(self, sentence: str) -> float:
        """1 + CONSTRAINT_CREDIT × the share of the question's dates and numbers a sentence states
        ("in February 2016, he sold a 49.9% stake" answers "what stake did he sell in February 2016")."""
        exact = self._exact
        return 1 + CONSTRAINT_CREDIT * sum(c.met_by(sentence) for c in exact) / len(exact) if exact else 1.0

    def sentence_unmet(self, sentence: _Sentence) -> Constraint | None:
        return self.unmet([sentence.text], [sentence.article])


def _unmet(constraint: Constraint | None, chosen: list[_Sentence]) -> Answer:
    """The refusal for evidence that misses a constraint, saying what it is about instead."""
    if constraint is None:
        return Answer.refusal()
    if constraint.kind == "entity":
        detail = f"none of the articles found mentions {constraint.text}"
    elif constraint.kind == "role":
        detail = f"none of the articles found names the {constraint.text}"
    elif constraint.kind == "year" and chosen and chosen[0].passage.published:
        found = sorted(set(re.findall(r"\b(?:19|20)\d\d\b", chosen[0].text)) | {chosen[0].passage.published[:4]})
        detail = f"the articles found are about {' and '.join(found)}, not {constraint.text}"
    else:
        detail = f"the articles found do not mention {constraint.text}"
    return Answer.refusal(RefusalReason(RefusalCode.CONSTRAINT_UNMET, f"{NOT_FOUND}: {detail}."))


def _compose(chosen: list[_Sentence], *, short: str = "", bylines: bool = False) -> Answer:
    """The Answer quoting the chosen sentences: one citation number per passage, its quotes together."""
    numbers: dict[str, int] = {}
    quotes: dict[str, list[str]] = {}
    passages: dict[str, Passage] = {}
    lines = []
    for sentence in chosen:
        node_id = sentence.passage.node_id
        n = numbers.setdefault(node_id, len(numbers) + 1)
        quotes.setdefault(node_id, []).append(sentence.text)
        passages[node_id] = sentence.passage
        byline = ", ".join(part for part in (sentence.passage.source, sentence.passage.published) if part)
        lines.append(f"{byline}: {sentence.text} [{n}]" if bylines and byline else f"{sentence.text} [{n}]")
    citations = [Citation.from_passage(n, passages[node_id], quotes[node_id]) for node_id, n in numbers.items()]
    return Answer(("\n" if bylines else " ").join(lines), refused=False, citations=citations, short=short)


def _sentences(passages: list[Passage], question: str) -> list[_Sentence]:
    """The passages' sentences worth quoting, with their terms and their passage's title and outlet
    terms: no echoes of the question, no headings."""
    asked = set(terms(question))
    seen: set[str] = set()
    found = []
    for rank, passage in enumerate(passages):
        header = frozenset(terms(f"{passage.title} {passage.source}"))
        for text, own in _quotable(passage.text, passage.title):
            if text not in seen and not own <= asked:
                seen.add(text)
                found.append(_Sentence(text, passage, rank, own, header))
    return found


@lru_cache(maxsize=PASSAGES_CACHED)
def _quotable(text: str, title: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """A passage's sentences that are not headings, with their terms: split once per passage,
    since the same passages come back for related questions."""
    return tuple(
        (sentence, frozenset(terms(sentence)))
        for sentence in split_sentences(text)
        if len(sentence) >= MIN_SENTENCE_CHARS and not is_heading(sentence, title)
    )


def _scored(sentences: list[_Sentence], weights: dict[str, float]) -> list[_Sentence]:
    """The sentences with their weighted share of the question's terms (terms of the passage's title
    and outlet count half); none when the question has no weighted terms."""
    total = sum(weights.values())
    if not total:
        return []
    return [
        replace(
            s,
            coverage=(
                sum(w for t, w in weights.items() if t in s.terms)
                + HEADER_CREDIT * sum(w for t, w in weights.items() if t in s.header and t not in s.terms)
            )
            / total,
        )
        for s in sentences
    ]


def is_echo(sentence: str, question: str) -> bool:
    """Whether a sentence says nothing beyond the question's own words."""
    return set(terms(sentence)) <= set(terms(question))


def is_heading(text: str, title: str = "") -> bool:
    """A title, or a short line of capitalized words (a heading, a caption, a byline)."""
    if title and text.strip(" .") == title.strip(" ."):
        return True
    words = re.findall(r"[A-Za-z][\w'’-]*", text)
    small = {"a", "an", "the", "and", "or", "of", "in", "on", "for", "to", "at", "by", "with", "vs", "from"}
    content = [w for w in words if w.lower() not in small]
    return len(words) <= 14 and bool(content) and sum(w[0].isupper() for w in content) >= 0.8 * len(content)
