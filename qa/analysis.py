"""Question analysis: which of the index's outlets, and which days, a question names.

News questions name their outlets ("according to TechCrunch", "The Verge reported"). An outlet
is matched by its full name or a short form (the part before " | ", " - " or ": ", with or
without a leading "The"), as written, so that common words ("fortune", "wired") in lower case
don't count; a short all-letters form of 2 to 5 letters also matches in capitals ("CNBC").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime
from functools import lru_cache

_SEPARATORS = re.compile(r"\s+[|\-–:]\s+|:\s+")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAYS = [
    (re.compile(rf"\b({_MONTHS})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"), "{0} {1} {2}"),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTHS}),?\s+(\d{{4}})\b"), "{1} {0} {2}"),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), "{0}-{1}-{2}"),
]


def named_days(question: str) -> list[date]:
    """The calendar days a question names ("October 7, 2023", "7 October 2023", "2023-10-07"), in order."""
    found: list[tuple[int, date]] = []
    for pattern, template in _DAYS:
        for match in pattern.finditer(question):
            text = template.format(*match.groups())
            try:
                day = datetime.strptime(text, "%Y-%m-%d" if "-" in text else "%B %d %Y").date()
            except ValueError:
                continue
            found.append((match.start(), day))
    return list(dict.fromkeys(day for _, day in sorted(found)))


def short_forms(outlet: str) -> set[str]:
    """The names a question may use for an outlet."""
    names = {outlet.strip()}
    head = _SEPARATORS.split(outlet, maxsplit=1)[0].strip()
    names.add(head)
    for name in list(names):
        if name.startswith("The ") and len(name) > 7:
            names.add(name[4:])
        if name.isalpha() and 2 <= len(name) <= 5:
            names.add(name.upper())
    return {n for n in names if len(n) >= 2}


@lru_cache(maxsize=8)
def _patterns(outlets: tuple[str, ...]) -> list[tuple[re.Pattern[str], str]]:
    names = sorted(((name, outlet) for outlet in outlets for name in short_forms(outlet)), key=lambda p: -len(p[0]))
    return [(re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"), outlet) for name, outlet in names]


def named_outlets(question: str, outlets: Iterable[str]) -> list[list[str]]:
    """The outlets a question names, in order of first mention, each once; one group per name, since
    a short form ("BBC News") can stand for several outlets of the index."""
    groups: dict[int, list[str]] = {}
    claimed: list[tuple[int, int]] = []
    for pattern, outlet in _patterns(tuple(sorted(outlets))):
        for match in pattern.finditer(question):
            span = match.span()
            overlapping = next((s for s in claimed if s[0] < span[1] and span[0] < s[1]), None)
            if overlapping is None:
                claimed.append(span)
                groups.setdefault(span[0], []).append(outlet)
            elif overlapping == span and outlet not in groups[span[0]]:
                groups[span[0]].append(outlet)
    ordered: list[list[str]] = []
    for start in sorted(groups):
        if groups[start] not in ordered:
            ordered.append(groups[start])
    return ordered
