"""Question analysis: which of the index's outlets, and which days, a question names.

News questions name their outlets ("according to TechCrunch", "The Verge reported"). An outlet
is matched by its full name or a short form (the part before " | ", " - " or ": ", with or
without a leading "The"), as written, so that common words ("fortune", "wired") in lower case
don't count; a short all-letters form of 2 to 5 letters also matches in capitals ("CNBC").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

_SEPARATORS = re.compile(r"\s+[|\-–:]\s+|:\s+")
_MONTH_NAMES = "January February March April May June July August September October November December".split()
_MONTHS = "|".join(_MONTH_NAMES)
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>\d{4})"
_MONTH = rf"(?P<month>{_MONTHS})"
_DATES = [
    re.compile(p)
    for p in (
        rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b",
        rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b",
        r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b",
        rf"\b{_MONTH},?\s+{_YEAR}\b",
        rf"\b{_MONTH}\s+{_DAY}\b(?![:.]?\d)",
        rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}\b",
        rf"\b(?:in|during|throughout|early|late|mid-?|since|until|of)\s+(?:the\s+month\s+of\s+)?{_MONTH}\b",
    )
]


@dataclass(frozen=True)
class Period:
    """A span of days a question names: one day, or a whole month."""

    first: date
    last: date


def named_periods(question: str, years: Iterable[int]) -> list[Period]:
    """The days and months a question names, in order of mention: "October 7, 2023", "7 October
    2023", "2023-10-07", "November 2023"; a day or month without a year ("October 7th", "in
    November") stands for that day or month in each of `years` (the years the archive spans)."""
    years = sorted(set(years))
    found: list[tuple[int, Period]] = []
    claimed = bytearray(len(question))
    for pattern in _DATES:
        for match in pattern.finditer(question):
            start, end = match.span()
            if any(claimed[start:end]):
                continue
            claimed[start:end] = b"\x01" * (end - start)
            parts = match.groupdict()
            month = parts["month"]
            number = int(month) if month.isdigit() else _MONTH_NAMES.index(month) + 1
            for year in [int(parts["year"])] if parts.get("year") else years:
                period = _period(year, number, parts.get("day"))
                if period:
                    found.append((start, period))
    return list(dict.fromkeys(period for _, period in sorted(found, key=lambda f: f[0])))


def _period(year: int, month: int, day: str | None) -> Period | None:
    try:
        if day:
            one = date(year, month, int(day))
            return Period(one, one)
        return Period(date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))
    except ValueError:
        return None


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


_CAPITALIZED = r"[A-Z][\w.&'’-]{0,30}"
_NAME = (
    rf"(?:'[^']{{1,60}}'|\"[^\"]{{1,60}}\"|‘[^’]{{1,60}}’|“[^”]{{1,60}}”|(?:[Tt]he\s)?{_CAPITALIZED}"
    rf"(?:\s(?:of\s|&\s|and\s|de\s)?{_CAPITALIZED}){{0,6}})"
)
"""An outlet's name as a question writes it. Bounded, like every pattern here, so that matching
takes time linear in the question's length (questions are searched with whitespace collapsed)."""
_PIECE = r"(?:article|report|piece|review|story|stories|coverage|editorial|column|post|headline)s?"
_OUTLET_MENTIONS = [
    re.compile(p)
    for p in (
        rf"\b{_PIECE}\s+(?:from|by|in|published\s+by|published\s+in)\s+(?P<name>{_NAME})",
        rf"\b(?:[Aa]n?|[Tt]he|[Aa]nother|[Oo]ne|[Bb]oth)\s+(?P<name>{_NAME})\s+{_PIECE}\b",
        rf"\b(?:reported|published|covered|written|detailed|presented|announced|discussed|described|highlighted"
        rf"|featured|mentioned|noted)\s+(?:by|in)\s+(?P<name>{_NAME})",
        rf"\banother\s+(?:by|in|from)\s+(?P<name>{_NAME})",
        rf"(?P<name>{_NAME})\s+(?:both\s+report|reported|reports|wrote)\s+(?:that|on|about|how)\b",
    )
]
_NAME_PARTS = re.compile(r"\s+(?:and|&|or)\s+|,\s*")
_LEADING_WORDS = re.compile(
    r"^(?:after|before|between|did|does|do|has|have|had|was|were|is|are|when|while|if|both|and|but|since|until|as|in|on|the)\s+",
    re.IGNORECASE,
)
_NOT_NAMES = {"it", "he", "she", "they", "this", "that", "which", "what", "who", "each", "these", "those"}
_CALENDAR_WORDS = {m.lower() for m in _MONTH_NAMES} | {d.lower() for d in calendar.day_name}


def _plain_name(text: str) -> str:
    name = text.strip("'\"‘’“” ")
    name = re.sub(r"(?:'s|’s)$", "", name)
    while _LEADING_WORDS.match(name):
        name = _LEADING_WORDS.sub("", name)
    return name.strip()


def foreign_outlets(question: str, outlets: Iterable[str]) -> list[str]:
    """Names the question presents as outlets ("a Bloomberg article", "reported by Reuters", "an
    article in The Economist") that are part of none of the archive's outlet names, in order.

    A name counts as the archive's when it appears, whole words and ignoring case, in one of its
    outlet names ("BBC" in "BBC News - Technology"), so only a name the archive has nothing of is
    returned: the question asks about articles the archive cannot hold.
    """
    known = [outlet.lower() for outlet in outlets]
    question = " ".join(question.split())
    found: list[tuple[int, str]] = []
    for pattern in _OUTLET_MENTIONS:
        for match in pattern.finditer(question):
            for part in _NAME_PARTS.split(match.group("name")):
                name = _plain_name(part)
                if len(name) < 2 or name.lower() in _NOT_NAMES or name.split()[0].lower() in _CALENDAR_WORDS:
                    continue
                wanted = re.compile(rf"(?<!\w){re.escape(name.lower())}(?!\w)")
                if not any(wanted.search(outlet) for outlet in known):
                    found.append((match.start("name"), name))
    return list(dict.fromkeys(name for _, name in sorted(found)))
