"""Short answers: the named entities, dates and quantities of the best evidence sentences that can
answer the question, scored across passages and articles.

A candidate must have a label the question's answer type allows and must not be in the question.
Its score sums, over the sentences that hold it, the sentence's share of the question's terms and
a weight for its passage's rank; support from more articles multiplies it. Forms of one name ("Sam
Bankman-Fried", "Bankman-Fried") count as one, under the longest. A short answer is given only when
the best candidate leads the next one clearly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from qa.intent import LABELS, TYPE_NOUNS, WORKS, AnswerType, Intent, Slot
from qa.nlp import Entity, entities, nouns, stop_words
from qa.text import terms

SENTENCES = 14
MENTION_WEIGHT = 6.0
RELEVANT = 0.3
NAME_CREDIT = 0.7
BEFORE = 0.5
_CAPITALIZED_RUN = re.compile(r"\b[A-Z][\w’'&.-]*[\w](?:\s+(?:of\s+|de\s+|&\s+)?[A-Z][\w’'&.-]*[\w])*")
_TITLES = frozenset(
    "mayor president ceo chair chairman chief dr mr mrs ms sir dame lord lady judge senator governor minister coach "
    "general captain professor prof grower director founder the a an".split()
)
RANK_DECAY = 0.1
ARTICLE_BONUS = 0.5
COMMIT = 0.25
MARGIN = 0.05
RANKER = {
    "total": 0.284,
    "score": 0.337,
    "best": 0.325,
    "articles": 0.129,
    "articles_several": 0.312,
    "mentions": -0.366,
    "mentions_several": 3.393,
    "titles": -3.345,
    "titles_several": 2.639,
    "closeness": 0.146,
    "label": 0.308,
    "right_label": 0.610,
    "unlabelled": -1.414,
    "after_preposition": 5.620,
    "first_subject": 0.899,
    "coverage": 2.823,
    "sentences": 0.175,
}
"""The weights of a candidate's features, fitted by `evals/fit_ranker.py` on MultiHop-RAG's dev
split and `evals/factoid_dev.jsonl` (a softmax over each question's candidates, L2 0.01)."""
TITLE_WEIGHT = 3.0
MISLABELLED = 0.15
NAMES = frozenset({AnswerType.PERSON, AnswerType.ORGANIZATION, AnswerType.PLACE, AnswerType.WORK, AnswerType.NAME})
_MONTH = "jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_CALENDAR = re.compile(
    rf"\b(?:1[89]|20)\d\d\b|\b\d{{1,2}}/\d{{1,2}}\b|\b(?:{_MONTH})[a-z]*\.?(?:\s|$)|"
    r"\b(?:spring|summer|autumn|fall|winter|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b",
    re.IGNORECASE,
)
_TITLED = re.compile(
    r"(?:[“\"‘]|(?<=\s)')([A-Z0-9](?:[^“”\"‘’]|’(?=\w)){0,60}?)(?:[”\"]|’(?!\w)|'(?=[\s,.;:!?]))|"
    rf"\b(?:{'|'.join(WORKS)})s?,\s+([A-Z][\w’'-]*(?:\s+[\w’'-]+){{0,7}}?)(?=[,;]|\.(?:\s|$))"
)
_SMALL_WORDS = frozenset("a an the and or of in on for to at by with vs from".split())
MAX_TITLE_WORDS = 8
TITLE_CASE = 0.6
_NOT_NAMES = frozenset("one two three first second laid said new the this that".split())
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
_VENUE_NAME = re.compile(r"\b(?:Arena|Garden|Stadium|Cent(?:er|re)|Hall|Park|Field|Theat(?:er|re)|Dome|Bowl|Coliseum|Forum)$")
"""An organization's name that is a venue's ("Madison Square Garden"), for questions that ask where."""
_HEDGE = re.compile(
    r"^(?:up to|about|around|nearly|almost|roughly|approximately|more than|over|under|less than|just|only|"
    r"some|an estimated|a record|record|at least|as much as|as many as)\s+",
    re.IGNORECASE,
)
"""Words before an amount that qualify it ("up to $5.6B"): one amount with or without them."""
_DAY = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH})|"
    rf"\b(?:{_MONTH})[a-z]*\.?\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\b\d{{1,2}}/\d{{1,2}}\b",
    re.IGNORECASE,
)
"""A date to the day ("16 November", "Nov. 16", "11/16"), which "on what date" asks for."""
_PER = re.compile(r"(?<=\d)\s?(?:pm|pa|p\.a\.|/(?:month|mo|year|yr))$", re.IGNORECASE)
"""A rate glued to an amount ("€9.99pm", "$20/month"): the amount is the answer."""
_CONTRACTION = re.compile(r"^\w+[’'](?:m|re|ve|ll|d)$")
_CURRENCY = "$€£¥"


@dataclass(frozen=True)
class Candidacy:
    """A sentence that may hold the answer: its text, how much of the question it covers, its
    passage's rank and its article."""

    text: str
    coverage: float
    rank: int
    article: str


@dataclass
class Candidate:
    """A possible short answer and the evidence sentences that hold it."""

    text: str
    score: float = 0.0
    articles: set[str] = field(default_factory=set)
    sentences: list[Candidacy] = field(default_factory=list)
    forms: set[str] = field(default_factory=set)
    mentions: float = 0.0
    in_titles: float = 0.0
    own: float = 0.0
    best: float = 0.0
    near: float = 0.0
    label: float = 0.0
    follows: bool = False
    first: bool = False
    top: float = 0.0
    several: bool = True

    @property
    def total(self) -> float:
        """The hand-set score: support from the sentences, times more for more articles and, for a
        question that draws on several, for the share of passages and titles that name it."""
        return (
            self.score
            * (1 + ARTICLE_BONUS * (len(self.articles) - 1))
            * ((1 + MENTION_WEIGHT * self.mentions) * (1 + TITLE_WEIGHT * self.in_titles) if self.several else 1.0)
        )

    def features(self) -> dict[str, float]:
        """What the ranker weighs, by the names of RANKER."""
        several = float(self.several)
        extra = len(self.articles) - 1
        return {
            "total": math.log(self.total + 1e-6),
            "score": math.log(self.score + 1e-6),
            "best": math.log(self.best + 1e-6),
            "articles": extra,
            "articles_several": several * extra,
            "mentions": self.mentions,
            "mentions_several": several * self.mentions,
            "titles": self.in_titles,
            "titles_several": several * self.in_titles,
            "closeness": self.near,
            "label": self.label,
            "right_label": float(self.label >= 1.0),
            "unlabelled": float(self.label == NAME_CREDIT),
            "after_preposition": float(self.follows),
            "first_subject": float(self.first),
            "coverage": self.top,
            "sentences": math.log(max(1, len(self.sentences))),
        }

    @cached_property
    def strength(self) -> float:
        """The ranker's score: RANKER's weights times the features."""
        return sum(RANKER[name] * value for name, value in self.features().items())


def _normal(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower().replace("’", "'").removesuffix("'s")))


def _within(short: str, long: str) -> bool:
    return f" {short} " in f" {long} "


def candidates(
    intent: Intent,
    question: str,
    evidence: Sequence[Candidacy],
    passages: Sequence[str] = (),
    exclude: Sequence[str] = (),
    titles: Sequence[str] = (),
    several: bool = True,
) -> list[Candidate]:
    """The candidates of the best evidence sentences, best first by the ranker; `passages` are the
    texts retrieved and `titles` their articles' titles. For a question that draws on `several`
    articles, the share of passages that name a candidate counts for it (the answer is what the
    articles have in common). A question about one article is answered by a detail of its best
    sentences, which the other passages need not repeat; and a name in the titles counts against a
    candidate there (the fitted weights: the title names the article's subject, which the question
    names already, rather than the detail it asks for)."""
    if not intent.labels:
        return []
    best = max((e.coverage for e in evidence), default=0.0) or 1.0
    top = sorted((e for e in evidence if e.coverage >= RELEVANT * best), key=lambda e: (-e.coverage, e.rank))[:SENTENCES]
    asked_words = set(terms(question))
    naming = asked_words - _type_terms()
    normal = _amount_key if intent.type is AnswerType.NUMBER else _normal
    asked = f" {normal(question)} "
    names = intent.type in NAMES
    year_only = re.search(r"\b(?:what|which) year\b", question.lower()) is not None
    day_asked = re.search(r"\b(?:what|which) (?:date|day)\b", question.lower()) is not None
    excluded = {_normal(name) for name in exclude}
    asked_names = [_normal(c.text) for c in intent.constraints if c.kind == "entity"]
    found: dict[str, Candidate] = {}
    inner = _inner_names([e.text for e in top])
    kind = intent.type is AnswerType.KIND
    found_entities = (nouns if kind else entities)([e.text for e in top])
    other_label = _labelled_otherwise(found_entities, intent.labels)
    common = _common_words([*passages, *(e.text for e in top)]) if names else frozenset()
    for sentence, ents in zip(top, found_entities, strict=True):
        spans = [
            _amount_span(sentence.text, e, credit)
            for e in ents
            if (credit := _label_credit(e.label, intent))
            and (e.label != "ORG" or intent.type is not AnswerType.PLACE or _VENUE_NAME.search(e.text))
            and (e.start > 0 or " " in e.text or e.text in inner or not names or e.text.lower() not in common)
            and not _converted(sentence.text, e)
            and not _qualifier(sentence.text, e, ents)
        ]
        if names and intent.type is not AnswerType.PLACE:
            spans += [(text, start, end, NAME_CREDIT) for text, start, end in _proper_names(sentence.text, ents, inner, common)]
        if intent.type is AnswerType.WORK:
            spans += [(text, start, end, 1.0) for text, start, end in _titles(sentence.text)]
        if names:
            spans = [part for span in spans for part in _joined_names(*span)]
        first = min((span[1] for span in spans), default=-1)
        for entity_text, entity_start, entity_end, credit in spans:
            text = _answer_text(intent, entity_text, year_only)
            key = normal(text)
            if names and (not text[:1].isupper() or key in _NOT_NAMES or key in stop_words()):
                continue
            if key in other_label:
                credit = min(credit, MISLABELLED)
            if names and _CONTRACTION.match(text):
                continue
            if names and " " not in key and key in common:
                continue
            if intent.type is AnswerType.DATE and not (_DAY if day_asked else _CALENDAR).search(text):
                continue
            if (
                not key
                or f" {key} " in asked
                or key in excluded
                or (names and set(terms(text)) & naming)
                or (kind and set(terms(text)) & asked_words)
            ):
                continue
            if any(_abbreviates(key, name) for name in asked_names):
                continue
            candidate = found.setdefault(key, Candidate(text, forms={key}, several=several))
            if intent.type is AnswerType.NUMBER and len(text) > len(candidate.text):
                candidate.text = text
            if sentence not in candidate.sentences:
                near = _closeness(sentence.text, entity_start, entity_end, asked_words, intent.slot)
                gain = credit * (sentence.coverage / best) ** 2 * (0.5 + near) / (1 + RANK_DECAY * sentence.rank)
                candidate.score += gain
                candidate.own += gain
                candidate.best = max(candidate.best, gain)
                candidate.near = max(candidate.near, near)
                candidate.label = max(candidate.label, credit)
                candidate.follows |= _follows(sentence.text, entity_start, intent.slot)
                candidate.first |= entity_start == first and not intent.slot.object
                candidate.top = max(candidate.top, sentence.coverage / best)
                candidate.articles.add(sentence.article)
                candidate.sentences.append(sentence)
    merged = _merged(found)
    texts = [f" {normal(text)} " for text in passages]
    headlines = [f" {normal(text)} " for text in dict.fromkeys(titles)]
    for candidate in merged:
        marks = {f" {form.split()[-1]} " if intent.type is AnswerType.PERSON else f" {form} " for form in candidate.forms}
        candidate.mentions = _share(marks, texts)
        candidate.in_titles = _share({f" {form} " for form in candidate.forms}, headlines)
    return sorted(merged, key=lambda c: -c.strength)


@lru_cache(maxsize=1)
def _type_terms() -> frozenset[str]:
    return frozenset(terms(" ".join(TYPE_NOUNS)))


def _amount_span(sentence: str, entity: Entity, credit: float) -> tuple[str, int, int, float]:
    """An entity with the currency sign the entity model left before it ("$69bn")."""
    if entity.start and sentence[entity.start - 1] in _CURRENCY and entity.text[:1] not in _CURRENCY:
        return sentence[entity.start - 1 : entity.end], entity.start - 1, entity.end, credit
    return entity.text, entity.start, entity.end, credit


def _label_credit(label: str, intent: Intent) -> float:
    """1 for an entity labelled as the question asks; MISLABELLED for a name labelled as another
    kind of name (the small model often calls a company a person: "Temu", "Common Sense Media")."""
    if label in intent.labels:
        return 1.0
    return MISLABELLED if intent.type in NAMES and label in LABELS[AnswerType.NAME] else 0.0


def _converted(sentence: str, entity: Entity) -> bool:
    """An amount in brackets after another ("$69bn (£56bn)"): a conversion, not an answer."""
    return entity.label == "MONEY" and sentence[: entity.start].rstrip(_CURRENCY + " ").endswith("(")


def _qualifier(sentence: str, entity: Entity, ents: Sequence[Entity]) -> bool:
    """A place that only says where the place before it is ("Stockholm, Sweden")."""
    return entity.label in ("GPE", "LOC") and any(
        e.label in ("GPE", "LOC", "FAC") and e.end < entity.start and sentence[e.end : entity.start] == ", " for e in ents
    )


def _share(marks: set[str], texts: Sequence[str]) -> float:
    return sum(any(mark in text for mark in marks) for text in texts) / len(texts) if texts else 0.0


def _proper_names(text: str, ents: Sequence[Entity], names: set[str], common: frozenset[str]) -> list[tuple[str, int, int]]:
    """Runs of capitalized words that the entity model left unlabelled ("Mayor Ines Okafor", a name
    in a title), leading titles of office, function words and `common` words (written in lower case
    elsewhere) dropped from either end; a lone word at the start of a sentence counts only when it
    is one of `names` (capitalized inside a sentence elsewhere)."""
    found = []
    for match in _CAPITALIZED_RUN.finditer(text):
        start, end = match.span()
        if any(e.start < end and start < e.end for e in ents):
            continue
        words = match.group(0).split()
        while words and (
            words[0].lower().strip(".") in _TITLES or words[0].lower() in stop_words() or words[0].lower() in common
        ):
            start += len(words[0]) + 1
            words = words[1:]
        while len(words) > 1 and (words[-1].lower() in stop_words() or words[-1].lower() in common):
            end -= len(words[-1]) + 1
            words = words[:-1]
        if not words or (len(words) == 1 and (words[0].lower() in _NOT_NAMES or (start == 0 and words[0] not in names))):
            continue
        found.append((" ".join(words), start, end))
    return found


def _titles(text: str) -> list[tuple[str, int, int]]:
    """Titles of works the entity model leaves out: a phrase in title case in quotation marks (“Pink
    Friday 2”, 'Enlisted,') or set off by commas after the kind of work it names ("her memoir,
    Worthy,"); not a quoted remark ("We loved making the film") or a clause ("Smith said ...")."""
    found = []
    for match in _TITLED.finditer(text):
        group = 1 if match.group(1) is not None else 2
        title = match.group(group).rstrip(",. ")
        words = re.findall(r"\w[\w’'-]*", title)
        content = [w for w in words if w.lower() not in _SMALL_WORDS]
        if (
            content
            and len(words) <= MAX_TITLE_WORDS
            and sum(w[0].isupper() or w[0].isdigit() for w in content) >= TITLE_CASE * len(content)
        ):
            found.append((title, match.start(group), match.start(group) + len(title)))
    return found


def _joined_names(text: str, start: int, end: int, credit: float) -> list[tuple[str, int, int, float]]:
    """Two names of several words joined by a hyphen ("Taylor Swift-Travis Kelce") as two; a
    hyphenated name ("Bankman-Fried") as it is."""
    match = re.fullmatch(r"([^-]*\s[^-]*)-([A-Z][^-]*\s[^-]*)", text)
    if not match:
        return [(text, start, end, credit)]
    left = match.group(1)
    return [(left, start, start + len(left), credit), (text[len(left) + 1 :], start + len(left) + 1, end, credit)]


def _labelled_otherwise(found: Sequence[Sequence[Entity]], wanted: frozenset[str]) -> set[str]:
    """Names the entity model labels with a type the question does not ask for more often than
    with one it does ("OpenAI" is most often an organization, even where it was once a person)."""
    votes: dict[str, int] = {}
    for ents in found:
        for entity in ents:
            key = _normal(entity.text)
            votes[key] = votes.get(key, 0) + (1 if entity.label in wanted else -1)
    return {key for key, vote in votes.items() if vote < 0}


def _common_words(texts: Sequence[str]) -> frozenset[str]:
    """Words the texts write in lower case: a capitalized one of them is a sentence's first word or
    a heading's, not a name."""
    return frozenset(word for text in texts for word in re.findall(r"(?<![\w’'-])[a-z][a-z’'-]+(?![\w’'-])", text))


def _inner_names(texts: Sequence[str]) -> set[str]:
    """Words written with a capital inside a sentence (not at its start)."""
    return {m.group(1) for text in texts for m in re.finditer(r"(?<=[a-z,;] )([A-Z][\w’'-]+)", text)}


def _follows(sentence: str, start: int, slot: Slot) -> bool:
    """Whether a name stands after the preposition the question fronts, a few words at most ("in Hove")."""
    pattern = rf"\b{slot.preposition}\s+(?:[\w’'-]+\s+){{0,3}}$"
    return bool(slot.preposition) and re.search(pattern, sentence[:start], re.IGNORECASE) is not None


def _closeness(sentence: str, start: int, end: int, asked: set[str], slot: Slot) -> float:
    """How close the question's terms stand to an entity in its sentence: the mean over the terms
    the sentence shares with the question of 1 / (1 + words between / 4), terms on the side where
    the answer's slot does not put them counting BEFORE."""
    weights = []
    for match in re.finditer(r"\w\w+", sentence):
        if start <= match.start() < end or not set(terms(match.group(0))) & asked:
            continue
        after = match.start() >= end
        gap = sentence[end : match.start()] if after else sentence[match.end() : start]
        weights.append((1.0 if after != slot.object else BEFORE) / (1 + len(gap.split()) / 4))
    return sum(weights) / len(weights) if weights else 0.0


def _answer_text(intent: Intent, text: str, year_only: bool) -> str:
    text = text.strip().removesuffix("’s").removesuffix("'s").strip(" ,.;:")
    titled = intent.type in (AnswerType.WORK, AnswerType.NAME)
    if intent.type in NAMES and not titled:
        text = re.split(r"[’']s\s", text)[0]
    if intent.type is AnswerType.NUMBER:
        text = _PER.sub("", _HEDGE.sub("", text))
    year = _YEAR.search(text)
    if intent.type is AnswerType.DATE and year and year_only:
        return year.group(1)
    return text if titled else re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)


def _amount_key(text: str) -> str:
    """One key for the ways an amount is written: "$5.6B" and "5.6 billion", "49.9 percent" and "49.9%"."""
    low = text.lower().replace(",", "")
    for pattern, word in ((r"(?:bn|b)", "billion"), (r"(?:mn|m)", "million"), ("k", "thousand"), ("tn", "trillion")):
        low = re.sub(rf"(\d)\s*{pattern}\b", rf"\1 {word}", low)
    return " ".join(re.findall(r"\d+(?:\.\d+)?|[a-z]+|%", low.replace(" percent", "%")))


def _abbreviates(short: str, long: str) -> bool:
    """Whether one word is the initials of a name of several words ("SBF", "EU") or the start of its
    first word ("Fed" for "Federal Reserve")."""
    words = long.split()
    if " " in short or len(words) < 2:
        return False
    return short == "".join(w[0] for w in words) or (len(short) >= 3 and words[0].startswith(short) and words[0] != short)


def _merged(found: dict[str, Candidate]) -> list[Candidate]:
    """Forms of one name as one candidate, under its longest form; initials and shortenings too."""
    keys = sorted(found, key=len, reverse=True)
    merged: dict[str, Candidate] = {}
    for key in keys:
        into = next((k for k in merged if _within(key, k) or _abbreviates(key, k)), None)
        if into is None:
            merged[key] = found[key]
            continue
        target, part = merged[into], found[key]
        if part.own > target.own and " " in key:
            target.text, target.own = part.text, part.own
        target.score += part.score
        for name in ("best", "near", "top", "label", "follows", "first"):
            setattr(target, name, max(getattr(target, name), getattr(part, name)))
        target.articles |= part.articles
        target.forms |= part.forms
        target.sentences += [s for s in part.sentences if s not in target.sentences]
    return list(merged.values())


def only_one_in(sentence: Candidacy, ranked: Sequence[Candidate]) -> Candidate | None:
    """The one candidate that the sentence best matching the question holds, when it holds one only."""
    inside = [c for c in ranked if sentence in c.sentences]
    return inside[0] if len(inside) == 1 else None


def clear_winner(ranked: Sequence[Candidate]) -> Candidate | None:
    """The best candidate when the ranker gives it a probability of COMMIT or more (a softmax over
    the candidates' strengths) and it leads the next by MARGIN (a tie is no answer)."""
    if not ranked:
        return None
    best, *rest = sorted(ranked, key=lambda c: -c.strength)
    chance = 1.0 / (1.0 + sum(math.exp(c.strength - best.strength) for c in rest))
    leads = not rest or best.strength - rest[0].strength >= MARGIN
    return best if chance >= COMMIT and leads else None
