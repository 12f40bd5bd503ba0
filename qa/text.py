"""How text is cut up: into sentences (trained Punkt), and into stemmed content terms.

`terms` stems with the same Snowball stemmer and token pattern as the BM25 index, so answerers
can weigh a question's terms by the index's IDF; it drops a fuller stop-word list than BM25 does
(question words and reporting verbs too), since those say nothing about where the answer is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

import Stemmer
from bm25s.stopwords import STOPWORDS_EN

from qa.imports import without

if TYPE_CHECKING:
    from nltk.tokenize import PunktTokenizer

TOKEN = re.compile(r"(?u)\b\w\w+\b")
STEMMER = Stemmer.Stemmer("english")
_REPORTING_WORDS = (
    "according article articles describe described mention mentioned news report reported reports "
    "say said says state stated states tell told"
).split()


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from llama_index.core.utils import globals_helper

    with without("scipy.stats", "sklearn"):
        globals_helper.wait_for_nltk_check()

    return frozenset(STOPWORDS_EN) | frozenset(globals_helper.stopwords) | frozenset(_REPORTING_WORDS)


def terms(text: str) -> list[str]:
    """The stemmed content terms of a text, in order, stop words left out."""
    stopwords = _stopwords()
    words = [w for w in TOKEN.findall(text.lower()) if w not in stopwords]
    return list(STEMMER.stemWords(words))


@lru_cache(maxsize=1)
def _punkt() -> PunktTokenizer:
    """English Punkt, trained, from the NLTK data llama-index-core ships (its default splitter is untrained)."""
    from llama_index.core.utils import globals_helper

    with without("scipy.stats", "sklearn"):
        from nltk.tokenize import PunktTokenizer
    globals_helper.wait_for_nltk_check()
    return PunktTokenizer("english")


_DATELINE = re.compile(r"^\([A-Z][\w&.' -]{1,40}\)\s+(?=[A-Z“\"‘'])")
"""A wire dateline opening a paragraph ("(MENAFN) Western ..."): the outlet, not the sentence."""


def split_sentences(text: str) -> list[str]:
    """The sentences of a text, paragraph by paragraph, stripped, without a leading wire dateline."""
    return [
        s.strip()
        for paragraph in text.split("\n")
        if paragraph.strip()
        for s in _punkt().tokenize(_DATELINE.sub("", paragraph.strip()))
    ]
