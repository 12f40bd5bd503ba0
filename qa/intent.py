"""What a question asks for: the type of its answer, and the hard constraints the evidence must meet.

The answer type comes from the question word and the noun after "which" / "what" ("which betting
platform" asks for an organization, "what year" for a date); a question that opens with an
auxiliary verb asks yes or no, a comparison of reports, or their order in time. Hard constraints
are the details an answer must match, not just resemble: years ("in 2022"), numbers and ordinals
with what they count ("season 4", "Q1", "10-year", "$2 million", "Super Bowl LVIII") and the
question's specific named entities (found by the entity model), outlets left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from qa.nlp import entities


class AnswerType(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    PLACE = "place"
    DATE = "date"
    NUMBER = "number"
    OUTLET = "outlet"
    WORK = "work"
    NAME = "name"
    KIND = "kind"
    YES_NO = "yes_no"
    COMPARISON = "comparison"
    ORDER = "order"
    OPEN = "open"


FACTOID = frozenset(
    {
        AnswerType.PERSON,
        AnswerType.ORGANIZATION,
        AnswerType.PLACE,
        AnswerType.DATE,
        AnswerType.NUMBER,
        AnswerType.WORK,
        AnswerType.NAME,
        AnswerType.KIND,
    }
)
"""The types whose answer is a name, a date, an amount or a kind of thing."""

LABELS: dict[AnswerType, frozenset[str]] = {
    AnswerType.PERSON: frozenset({"PERSON"}),
    AnswerType.ORGANIZATION: frozenset({"ORG"}),
    AnswerType.PLACE: frozenset({"GPE", "LOC", "FAC"}),
    AnswerType.DATE: frozenset({"DATE", "TIME"}),
    AnswerType.NUMBER: frozenset({"MONEY", "PERCENT", "QUANTITY", "CARDINAL"}),
    AnswerType.WORK: frozenset({"WORK_OF_ART", "PRODUCT", "EVENT"}),
    AnswerType.NAME: frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT"}),
    AnswerType.KIND: frozenset({"NOUN"}),
}
"""The entity labels that can answer each type of question."""
_ENTITY_LABELS = LABELS[AnswerType.NAME] | {"NORP", "LAW"}
"""Labels of the question's entities that are constraints: any name, a nationality, a law."""

_PRODUCTS = "product device model phone console chatbot tool truck car vehicle gadget handheld software"
"""Heads of questions that ask for a product, which the entity model often labels as a company."""

_HEADS: dict[AnswerType, str] = {
    AnswerType.PERSON: "person people individual man woman player athlete ceo founder executive chief president leader "
    "actor actress singer rapper artist director author writer coach manager minister official politician journalist "
    "reporter star figure investor billionaire entrepreneur scientist researcher chemist physicist economist analyst "
    "judge lawyer senator candidate quarterback pitcher striker driver golfer champion winner character host "
    "grower farmer mayor owner worker teacher doctor nurse officer spokesperson spokesman spokeswoman employee chair "
    "chairman chairwoman governor king queen prince princess boss designer engineer architect lawmaker general "
    "soldier victim suspect defendant witness partner wife husband son daughter mother father student fan celebrity "
    "musician comedian chef pilot astronaut boxer fighter runner swimmer skier cyclist sculptor painter photographer "
    "producer composer dancer model activist founder co-founder commissioner referee captain receiver linebacker "
    "goalkeeper defender midfielder forward prodigy",
    AnswerType.ORGANIZATION: "company companies firm organization organisation team club brand startup start-up platform "
    "agency group bank university college school network party exchange app service retailer studio publisher "
    "manufacturer maker carrier airline league authority government nonprofit charity fund investor label "
    "institution business corporation conglomerate automaker chipmaker developer provider operator lab laboratory "
    "entity sportsbook site court establishment outfit band",
    AnswerType.PLACE: "city country state town region venue stadium place county continent island nation location "
    "capital province area arena",
    AnswerType.DATE: "date day year month time week season decade",
    AnswerType.NUMBER: "percentage percent share number amount price cost value rate sum figure total fee fine salary "
    "revenue score margin",
    AnswerType.OUTLET: "outlet publication newspaper source website magazine",
    AnswerType.WORK: "film movie book song album show series title game novel play documentary podcast track episode "
    "single drama sitcom franchise installment "
    f"{_PRODUCTS}",
}
_PRODUCT_WORDS = frozenset(_PRODUCTS.split())
_VENUES = frozenset("venue venues stadium stadiums arena arenas theater theatre hall ground ballpark circuit track".split())
"""Places that are buildings, which the entity model labels as facilities or organizations."""
_SETTLEMENTS = frozenset("city cities town towns country countries village capital state county province".split())
_HEAD_TYPES = {word: kind for kind, words in _HEADS.items() for word in words.split()}
TYPE_NOUNS = frozenset(_HEAD_TYPES)
"""Nouns that name a type of answer ("university", "arena"): a name may hold the one it answers ("Kiel University")."""
_WH = re.compile(r"\b(who|whom|whose|which|what|when|where|how)\b", re.IGNORECASE)
_AUXILIARY = re.compile(
    r"(?:^\s*|,\s*)(?:is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|might|must)\b", re.IGNORECASE
)
_ORDER_WORDS = re.compile(r"\b(before|after|earlier|later|prior to|subsequent|first)\b", re.IGNORECASE)
_COMPARISON_WORDS = re.compile(
    r"\b(both|while|whereas|compared|consistent|same|differ|different|also|agree|align|contrast|and did|and does|and is)\b",
    re.IGNORECASE,
)
_SECOND_ASK = re.compile(
    r",?\s+and\s+(?:who|whom|what|when|where|which|how)\s+(?:is|are|was|were|do|does|did|has|have|had|will|can)\s+"
    r"(?:(?:he|she|it|they|we|you|i|the|a|an|his|her|its|their)\b|[A-Z])",
)
"""A second question joined to the first ("When did she retire, and what did she record?"): open. A
relative clause ("the man who, after ..., and who is accused of ...") is not one."""
_NOT_NAMED = frozenset(
    "of is was are were did does do has have had will would can could came come comes one ones way side part".split()
)
"""Words after "which" that do not make it ask for a name: a verb ("which is bigger"), "of", "way"."""
_KIND_ASKED = re.compile(
    r"^\s+(?:is\s+the\s+|are\s+the\s+)?(?:common\s+|general\s+)?(?:(?:type|types|kind|kinds|sort|category)\s+(?:of|for)|term\s+for)\b",
    re.IGNORECASE,
)
"""A question for a kind of thing, which a common noun answers ("what type of establishments", "what
is the term for ...")."""
_HOW_MUCH = frozenset("many much long old large big high low small tall far fast heavy deep".split())
"""Words after "how" that ask for an amount."""


@dataclass(frozen=True)
class Constraint:
    """A detail the evidence must hold: as the question writes it, and the lower-case forms of which
    the evidence must contain one. A year or month is also met by an article published in it; a
    person's name of several words by its last word; any other name of several words by an acronym
    in it ("AOG" for "AOG Technics") or all its words in any order but acronyms and type nouns
    ("U.S. Justice Department" by "the Department of Justice"), since its last word is often
    generic ("Formation World Tour"; "ABBA Arena" needs "ABBA")."""

    kind: str
    text: str
    forms: tuple[str, ...]
    label: str = ""
    near: str = ""
    """For a role ("CEO" of "Nvidia"), the words of the name (its acronyms when it has any: "IIHS"
    of "IIHS Vehicle Research Center"), one of which the role must stand near: a sentence that has
    both far apart ("Nvidia's rival, whose CEO ...") states another relation."""

    def met_by(self, text: str, published: str = "") -> bool:
        """Whether a text (an article's passages and title), published on a YYYY-MM-DD day, meets it."""
        low = _DIGIT_GROUPS.sub("", text.lower())
        if self.kind == "role":
            return _close(low, self.forms, self.near)
        if any(_has(low, _DIGIT_GROUPS.sub("", form)) for form in self.forms):
            return True
        if self.kind == "year":
            return published[:4] == self.text
        if self.kind == "month":
            return bool(published) and _MONTH_NAMES[int(published[5:7]) - 1] in self.forms
        if self.kind == "entity":
            words = [w for w in re.findall(r"[\w.&-]+", self.text) if len(w) > 2]
            acronyms = [w.lower() for w in words if w.isupper()]
            words = [w.lower() for w in words]
            if len(words) < 2:
                return False
            if self.label == "PERSON":
                return _has(low, words[-1])
            if any(_has(low, w) for w in acronyms):
                return True
            distinctive = [w for w in words if w not in TYPE_NOUNS and w not in acronyms]
            return bool(distinctive) and all(_has(low, w) for w in distinctive)
        return False


_DIGIT_GROUPS = re.compile(r"(?<=\d),(?=\d{3})")


ROLE_REACH = 40
"""Most characters between a role and its name ("Sam Altman, the chief executive of OpenAI")."""


def _close(text: str, forms: tuple[str, ...], name: str) -> bool:
    """Whether one of the forms stands within ROLE_REACH characters of a word of the name in the text."""
    names = [(m.start(), m.end()) for word in name.split() for m in re.finditer(rf"(?<!\w){re.escape(word)}", text)]
    for form in forms:
        for match in re.finditer(rf"(?<!\w){re.escape(form)}(?!\w)", text):
            if any(match.start() - ROLE_REACH <= end and start <= match.end() + ROLE_REACH for start, end in names):
                return True
    return False


def _has(text: str, form: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(form)}(?![\w])", text) is not None


@dataclass(frozen=True)
class Slot:
    """Where the answer stands to the question's terms in a sentence that holds it: before them
    when the question asks for the subject ("which company was granted ..."), after them when it
    asks for the `object` ("which company did Flexport buy", "which firm has Apple bought"), and
    after the `preposition` that the question puts before its question word ("in which city" is
    answered "in Mumbai")."""

    object: bool = False
    preposition: str = ""


@dataclass(frozen=True)
class Intent:
    """What a question asks for: the type of answer, the entity labels that can be one, the
    constraints the evidence must meet, and where the answer stands."""

    type: AnswerType
    labels: frozenset[str] = frozenset()
    constraints: tuple[Constraint, ...] = ()
    slot: Slot = Slot()


_FRONTED = re.compile(r"^\s*(in|at|from|to|for|with|by|on|into|against|of)\s+(?:which|what|whom)\b", re.IGNORECASE)
_OBJECT_ASKED = re.compile(
    r"^\W*(?:\w+\s+)?(?:who|whom|which|what)\b(?:\s+(?!that\b|who\b|which\b)[\w’'-]+){0,3}?"
    r"\s+(?:did|does|do|has|have|had|will|would|can|could)\s+"
    r"(?:(?-i:[A-Z])|(?:the|a|an|his|her|its|their|he|she|it|they|we|you|i)\b)",
    re.IGNORECASE,
)
"""A question word, up to three words, then an auxiliary verb and its subject: the answer is an object."""


def slot(question: str) -> Slot:
    """Where the answer to a question stands in a sentence that holds it."""
    fronted = _FRONTED.match(question)
    return Slot(_OBJECT_ASKED.match(question) is not None, fronted.group(1).lower() if fronted else "")


def answer_type(question: str) -> AnswerType:
    """The type of answer a question asks for."""
    if _AUXILIARY.match(question) or (not _WH.search(question) and _AUXILIARY.search(question)):
        if _ORDER_WORDS.search(question):
            return AnswerType.ORDER
        return AnswerType.COMPARISON if _COMPARISON_WORDS.search(question) else AnswerType.YES_NO
    match = _WH.search(question)
    if not match or _SECOND_ASK.search(question):
        return AnswerType.OPEN
    word = match.group(1).lower()
    rest = question[match.end() :]
    following = re.findall(r"[a-z%-]+", rest.lower())[:8]
    if word in ("who", "whom", "whose"):
        return AnswerType.PERSON
    if word == "where":
        return AnswerType.PLACE
    if word == "when":
        return AnswerType.DATE
    if word == "how":
        return AnswerType.NUMBER if following and following[0] in _HOW_MUCH else AnswerType.OPEN
    if word in ("what", "which") and _KIND_ASKED.match(rest):
        return AnswerType.KIND
    kind = _head_type(rest)
    if kind is AnswerType.OPEN and word == "which" and following and following[0] not in _NOT_NAMED:
        return AnswerType.NAME
    return kind


def _head_type(phrase: str) -> AnswerType:
    """The type named by the head of the noun phrase after "which" / "what": its last word that
    names a type, before the verb or "of" ("which Columbia University chemist shared" asks for a
    person, "what percentage of users" for a number, "which band's single" for a work; "which
    nonprofit's study" for the owner when what it owns names no type). Capitalized words are names
    inside the phrase (the first of them that names a type counts only when no other word does), and
    up to three other words may come first ("which NFL wide receiver")."""
    kind = named = owner = AnswerType.OPEN
    modifiers = 0
    phrase = re.sub(r"[’']s\b", " 's", re.split(r"[,;:?()]", phrase)[0])
    for word in re.findall(r"'s|[A-Za-z%][\w%.-]*", phrase):
        low = word.lower()
        if word == "'s":
            owner, kind, modifiers = kind, AnswerType.OPEN, 0
            continue
        head = _HEAD_TYPES.get(low) or _HEAD_TYPES.get(_singular(low))
        if word[0].isupper():
            named = named if named is not AnswerType.OPEN else head or named
        elif head:
            kind = head
        elif kind is not AnswerType.OPEN or modifiers >= 3:
            break
        elif low in _NOT_HEADS:
            continue
        else:
            modifiers += 1
    return next((k for k in (kind, owner, named) if k is not AnswerType.OPEN), AnswerType.OPEN)


_NOT_HEADS = frozenset(
    "is was are were the a an of for kind type types sort specific particular name names term common leading new "
    "popular major prominent notable".split()
)


def _singular(noun: str) -> str:
    if noun.endswith("ies"):
        return noun[:-3] + "y"
    if noun.endswith(("sses", "shes", "ches", "xes")):
        return noun[:-2]
    return noun.removesuffix("s")


_NUMBER_WORDS = "zero one two three four five six seven eight nine ten eleven twelve".split()
_ORDINALS = "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth".split()
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_COUNTED = (
    r"season|episode|week|round|game|chapter|part|phase|quarter|stage|level|series|volume|generation|edition|"
    r"day|grade|class|division|title|term|wave|leg|race|match|test|gen|no\.|number|version|iphone|galaxy"
)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_MONTH_NAMES = "january february march april may june july august september october november december".split()
_MONTH = re.compile(rf"\b({'|'.join(m.capitalize() for m in _MONTH_NAMES)})\b")
_MONTH_WORDS = frozenset(m.capitalize() for m in _MONTH_NAMES) | {m[:3].capitalize() for m in _MONTH_NAMES} | {"Sept"}
_ORDINAL_STOP = frozenset(
    "and or of the a an in to for with that which who half time times place parties party largest biggest".split()
)
WORKS = "memoir album book novel film movie song single EP show series documentary podcast play game".split()
"""Kinds of work a title may follow ("her album 1989", "her memoir, Worthy,")."""
LOOK_BACK = 40
_TITLE_BEFORE = re.compile(rf"\b(?:{'|'.join(WORKS)})\s+$", re.IGNORECASE)
"""A work's noun before a year: the year is the work's title ("her album 1989"), not a time."""
_QUARTER = re.compile(r"\bQ([1-4])\b")
_COUNTED_NUMBER = re.compile(rf"\b({_COUNTED})\s+(\d{{1,3}}|[IVXLC]{{1,6}}\b|{'|'.join(_NUMBER_WORDS[1:])})\b", re.IGNORECASE)
_ORDINAL_COUNTED = re.compile(rf"\b({'|'.join(_ORDINALS[1:])}|\d{{1,3}}(?:st|nd|rd|th))[\s-]+({_COUNTED})\b", re.IGNORECASE)
_SPELLED_SPAN = re.compile(rf"\b({'|'.join(_NUMBER_WORDS[1:])})-(year|month|day|week)\b", re.IGNORECASE)
_ORDINAL_ANY = re.compile(
    rf"\b((?i:{'|'.join(_ORDINALS[2:])})|\d{{1,3}}(?:st|nd|rd|th))[\s-]+([a-z][a-z-]+)\b",
)
"""An ordinal past "first" and the word it counts ("second transplant", "28th feature-length film")."""
_SCORE = re.compile(r"(?<![\w.,-])(\d{1,3})[-–](\d{1,3})(?![\w.,%-])")
"""A score or a record: "5-1", "24-0"."""
_NAMED_NUMBER = re.compile(r"\b([A-Z][A-Za-z]*[A-Z][A-Za-z]*|[A-Z][a-z]+)\s(\d{1,4})\b(?!,\d)")
"""A name numbered in a series: "UFC 296", "iPhone 15" (years aside)."""
_FUNDING_ROUND = re.compile(r"\b(?:pre-)?Series [A-H]\b")
_NAMED_ROMAN = re.compile(r"\b([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)\s([IVXL]{2,6})\b")
_AMOUNT = re.compile(
    r"(?:[$€£]\s?)?\b\d(?:[\d,]*\d)?(?:\.\d+)?"
    r"(?:\s?%|\s?(?:percent|million|billion|trillion|thousand|m|bn|k)\b|[-\s](?:year|month|day|week)s?\b)?",
    re.IGNORECASE,
)


def _number(text: str) -> int | None:
    low = text.lower().rstrip(".")
    if low.isdigit():
        return int(low)
    if low in _NUMBER_WORDS:
        return _NUMBER_WORDS.index(low)
    if low in _ORDINALS:
        return _ORDINALS.index(low)
    if re.fullmatch(r"\d+(st|nd|rd|th)", low):
        return int(low[:-2])
    if low and all(c in _ROMAN for c in low):
        values = [_ROMAN[c] for c in low]
        return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return None


def _roman(value: int) -> str:
    out = ""
    for number, letters in ((50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while value >= number:
            out += letters
            value -= number
    return out


def _ordinal(value: int) -> str:
    suffix = "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
    return f"{value}{suffix}"


def _counted_forms(noun: str, value: int) -> tuple[str, ...]:
    """The ways a text may write the value-th `noun`: "season 4", "season four", "fourth season", "4th season"."""
    noun = noun.lower()
    forms = {f"{noun} {value}", f"{_ordinal(value)} {noun}", f"{_ordinal(value)}-{noun}"}
    if value < len(_NUMBER_WORDS):
        forms |= {f"{noun} {_NUMBER_WORDS[value]}", f"{_ORDINALS[value]} {noun}", f"{_ORDINALS[value]}-{noun}"}
    if noun == "quarter":
        forms.add(f"q{value}")
    return tuple(sorted(forms))


def constraints(question: str, outlets: tuple[str, ...] = ()) -> tuple[Constraint, ...]:
    """The question's hard constraints, in order of appearance; `outlets` (names the question uses
    for outlets) are not entity constraints."""
    found: list[tuple[int, Constraint]] = []
    claimed = bytearray(len(question))

    def add(start: int, end: int, constraint: Constraint) -> None:
        if not any(claimed[start:end]):
            claimed[start:end] = b"\x01" * (end - start)
            found.append((start, constraint))

    def before(position: int) -> str:
        """The few words before a position (a bounded look back keeps the analysis linear)."""
        return question[max(0, position - LOOK_BACK) : position]

    for match in _QUARTER.finditer(question):
        add(*match.span(), Constraint("number", match.group(0), _counted_forms("quarter", int(match.group(1)))))
    for match in _ORDINAL_COUNTED.finditer(question):
        value = _number(match.group(1))
        if value is not None:
            add(*match.span(), Constraint("number", match.group(0), _counted_forms(match.group(2), value)))
    for match in _COUNTED_NUMBER.finditer(question):
        value = _number(match.group(2))
        if value is not None:
            add(*match.span(), Constraint("number", match.group(0), _counted_forms(match.group(1), value)))
    for match in _ORDINAL_ANY.finditer(question):
        value = _number(match.group(1))
        after_month = before(match.start()).rstrip().rsplit(" ", 1)[-1].strip(".") in _MONTH_WORDS
        if value is not None and value > 1 and match.group(2) not in _ORDINAL_STOP and not after_month:
            bare = (_ordinal(value),) if value >= 10 else ()
            add(*match.span(), Constraint("ordinal", match.group(0), _counted_forms(match.group(2), value) + bare))
    for match in _FUNDING_ROUND.finditer(question):
        add(*match.span(), Constraint("number", match.group(0), (match.group(0).lower(),)))
    for match in _SCORE.finditer(question):
        score = f"{match.group(1)}-{match.group(2)}"
        add(*match.span(), Constraint("number", score, (score, f"{match.group(1)}–{match.group(2)}")))
    for match in _NAMED_NUMBER.finditer(question):
        if not _YEAR.fullmatch(match.group(2)) and match.group(1) not in _MONTH_WORDS:
            add(*match.span(), Constraint("number", match.group(0), (match.group(0).lower(),)))
    for match in _NAMED_ROMAN.finditer(question):
        value = _number(match.group(2))
        if value is not None:
            name = match.group(1).lower()
            add(*match.span(), Constraint("number", match.group(0), (f"{name} {match.group(2).lower()}", f"{name} {value}")))
    for match in _MONTH.finditer(question):
        month = match.group(1).lower()
        add(*match.span(), Constraint("month", match.group(1), (month, month[:3] + ".")))
    for match in _YEAR.finditer(question):
        if not _TITLE_BEFORE.search(before(match.start())):
            add(*match.span(), Constraint("year", match.group(0), (match.group(0),)))
    for match in _SPELLED_SPAN.finditer(question):
        value = _NUMBER_WORDS.index(match.group(1).lower())
        add(*match.span(), Constraint("number", match.group(0), _amount_forms(f"{value}-{match.group(2).lower()}")))
    for match in _AMOUNT.finditer(question):
        text = match.group(0).strip()
        if (text[0] in "$€£" or not text[-1].isdigit()) and not re.match(r"[-\s]old\b", question[match.end() :]):
            add(*match.span(), Constraint("number", text, _amount_forms(text)))
    role = _ROLE_ASKED.match(question)
    if role and role.group("role").lower().split()[-1] in _ROLE_WORDS:
        related = re.sub(r"^the\s+", "", role.group("of"), flags=re.IGNORECASE)
        said = _ROLE_FORMS.get(role.group("role").lower(), (role.group("role").lower(),))
        words = [w for w in re.findall(r"[\w&-]+", related) if (len(w) > 2 or w.isupper()) and w.lower() not in ("the", "sir")]
        acronyms = [w for w in words if w.isupper() and len(w) > 1]
        near = " ".join(w.lower() for w in acronyms or words)
        if near:
            add(*role.span("role"), Constraint("role", f"{role.group('role')} of {related}", said, near=near))
    known = tuple(o.lower() for o in outlets)
    for entity in entities([question])[0]:
        rest = re.match(r"\w*", question[entity.end :])
        whole = question[entity.start : entity.end + (rest.end() if rest else 0)]
        name = re.sub(r"^(?:the)\s+|(?:'s|’s)$", "", whole.strip("'\"‘’“”"), flags=re.IGNORECASE).strip("'\"‘’“” ")
        if (
            entity.label not in _ENTITY_LABELS
            or len(name) < 2
            or name.islower()
            or any(name.lower() in o or o in name.lower() for o in known)
        ):
            continue
        forms = {name.lower(), name.lower().replace(".", "")} if re.fullmatch(r"(?:[A-Z]\.){2,}", name) else {name.lower()}
        kind = "nationality" if entity.label == "NORP" else "entity"
        add(entity.start, entity.end, Constraint(kind, name, tuple(sorted(forms)), entity.label))
    return tuple(c for _, c in sorted(found, key=lambda pair: pair[0]))


_ROLE_ASKED = re.compile(
    r"^\s*(?i:who|what)\s+(?i:is|was|are|were)\s+(?i:the\s+)?(?i:current\s+|new\s+|former\s+|interim\s+)?"
    r"(?P<role>(?:[a-z][a-z-]+\s+)?(?:[a-z][a-z-]+|CEO|CFO|CTO|COO))\s+of\s+"
    r"(?P<of>(?:the\s+)?[A-Z][\w.&'’-]*(?:\s+[A-Z][\w.&'’-]*)*)"
)
"""A question for who or what stands in a relation to a name: "Who is the CEO of Nvidia?", "What is
the capital of Australia?". The sentence that answers it states the relation (the role noun);
one that only shares the name answers something else."""
_ROLE_FORMS: dict[str, tuple[str, ...]] = {
    "ceo": ("ceo", "chief executive"),
    "chief executive": ("chief executive", "ceo"),
    "chief executive officer": ("chief executive", "ceo"),
    "cfo": ("cfo", "chief financial officer", "finance chief"),
    "cto": ("cto", "chief technology officer", "technology chief"),
    "coo": ("coo", "chief operating officer"),
    "president": ("president",),
    "vice president": ("vice president", "vice-president", "vp"),
    "founder": ("founder", "founded", "co-founder", "cofounder"),
    "co-founder": ("co-founder", "cofounder", "founder", "founded"),
    "owner": ("owner", "owns", "owned", "bought", "acquired"),
    "head": ("head", "heads", "headed", "chief", "leader", "leads", "led"),
    "leader": ("leader", "leads", "led", "head"),
    "chair": ("chair", "chairman", "chairwoman", "chairperson"),
    "chairman": ("chairman", "chair", "chairwoman", "chairperson"),
}
"""Role nouns that articles also write another way (an abbreviation, a verb): generic English, not
names."""
_ROLE_WORDS = frozenset(_HEADS[AnswerType.PERSON].split()) | {"capital", "owner", "parent", "cfo", "cto", "coo", "ceo"}
"""Nouns of a relation to a name: people's roles, and a few of places and companies. Not "name",
"title" or "type", which ask what something is called."""


def _amount_forms(text: str) -> tuple[str, ...]:
    """An amount as texts write it: "$2 million" also as "2 million" and "$2m"; "97%" also as "97 percent"."""
    low = text.lower()
    bare = low.lstrip("$€£ ")
    forms = {low, bare}
    if bare.endswith("%"):
        forms.add(bare[:-1] + " percent")
    if bare.endswith(" percent"):
        forms.add(bare[: -len(" percent")] + "%")
    for word, short in (("million", "m"), ("billion", "bn")):
        if bare.endswith(" " + word):
            number = bare[: -len(word) - 1]
            forms |= {f"{number}{short}", f"{number} {short}"}
    match = re.fullmatch(r"(\d+)[-\s](year|month|day|week)s?", bare)
    if match:
        count, unit = match.groups()
        forms |= {f"{count}-{unit}", f"{count} {unit}", f"{count} {unit}s"}
        if int(count) < len(_NUMBER_WORDS):
            word = _NUMBER_WORDS[int(count)]
            forms |= {f"{word}-{unit}", f"{word} {unit}", f"{word} {unit}s"}
    return tuple(sorted(forms))


_MONEY_ASKED = (
    r"\bhow much\s+(?:did|does|do|is|was|were|are|will|would|has|have|had|per|in|for|money|cash)\b|"
    r"\b(revenue|price|cost|value|worth|fine|fee|salary|paid|pay|raise|raised|spend|spent|sum|loss|losses|profits?)\b"
)
"""Money is asked for by "how much" before a verb ("how much did it raise"), not before what it
measures ("how much horsepower"), or by what money is paid as."""


def labels(question: str, kind: AnswerType) -> frozenset[str]:
    """The entity labels that can answer a question of a type, narrowed by what it counts ("how
    long" and "how old" by a span of time or a length: "48 hours", "two years", "3 miles")."""
    low = question.lower()
    if kind is AnswerType.NUMBER:
        if re.search(r"\bhow (?:long|old)\b", low):
            return frozenset({"DATE", "TIME", "QUANTITY"})
        if re.search(r"\b(percent|percentage|share|stake|rate)\b|%", low):
            return frozenset({"PERCENT"})
        if re.search(r"\bby how much\b", low):
            return LABELS[kind]
        counted = re.search(r"\bhow many\b(?!\s+(?:dollars|euros|pounds|yen|rupees)\b)", low)
        if re.search(_MONEY_ASKED, low) and not counted:
            return frozenset({"MONEY"})
        return frozenset({"CARDINAL", "QUANTITY"})
    words = set(re.findall(r"[a-z]+", low))
    if kind is AnswerType.WORK and words & _PRODUCT_WORDS:
        return LABELS[kind] | {"ORG"}
    if kind is AnswerType.PLACE and words & _VENUES:
        return frozenset({"FAC", "ORG"})
    if kind is AnswerType.PLACE and words & _SETTLEMENTS:
        return frozenset({"GPE"})
    return LABELS.get(kind, frozenset())


def analyze(question: str, outlets: tuple[str, ...] = ()) -> Intent:
    """The answer type, its entity labels and the hard constraints of a question."""
    kind = answer_type(question)
    return Intent(kind, labels(question, kind), constraints(question, outlets), slot(question))
