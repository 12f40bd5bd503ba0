"""Multi-turn chat: one conversation's history, and follow-ups turned into standalone questions.

In LLM mode the model rewrites a follow-up with the conversation. Offline, a rule does: a
follow-up (one that opens with "and", "what about", ... or leans on a pronoun such as "it" or
"they") is asked together with the previous standalone question, and the previous filters carry
over unless the new turn sets its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from qa.answer import Answer
from qa.archive import Archive, DateLike

_CONNECTIVE = re.compile(r"^\s*(and|but|also|so|then|what about|how about)\b", re.IGNORECASE)
_PRONOUNS = frozenset("it its they them their theirs he him his she her hers this that these those there".split())


def is_follow_up(question: str) -> bool:
    """Whether a question leans on an earlier one."""
    words = re.findall(r"[a-z']+", question.lower())
    return bool(_CONNECTIVE.match(question)) or any(w in _PRONOUNS for w in words)


@dataclass
class Turn:
    """One exchange: what was asked, what was searched for, the filters, and the answer."""

    question: str
    standalone: str
    answer: Answer
    filters: dict = field(default_factory=dict)


class Conversation:
    """One user's conversation with an archive. Never shared between users."""

    def __init__(self, archive: Archive, turns: Sequence[Turn] = ()) -> None:
        self.archive = archive
        self.turns: list[Turn] = list(turns)

    def standalone(self, question: str) -> str:
        """The question to retrieve with: the follow-up made self-contained."""
        if not self.turns:
            return question
        if self.archive.settings.answerer == "llm":
            history = [(t.question, t.answer.text) for t in self.turns[-4:]]
            return self.archive.llm_answerer().condense(history, question)
        return f"{self.turns[-1].standalone} {question}" if is_follow_up(question) else question

    def ask_stream(
        self,
        question: str,
        *,
        k: int | None = None,
        since: DateLike = None,
        until: DateLike = None,
        sources: Sequence[str] | None = None,
    ) -> Iterator[str | Answer]:
        """Like Archive.ask_stream, in the context of the turns so far; records the turn."""
        filters = {"k": k, "since": since, "until": until, "sources": tuple(sources or ())}
        if self.turns and k is None and since is None and until is None and sources is None:
            filters = self.turns[-1].filters
        standalone = self.standalone(question)
        for piece in self.archive.ask_stream(standalone, **filters):
            if isinstance(piece, Answer):
                self.turns.append(Turn(question, standalone, piece, filters))
            yield piece

    def ask(self, question: str, **filters) -> Answer:  # type: ignore[no-untyped-def]
        """Like Archive.ask, in the context of the turns so far."""
        *_, answer = self.ask_stream(question, **filters)
        assert isinstance(answer, Answer)
        return answer
