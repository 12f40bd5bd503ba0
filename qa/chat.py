"""Multi-turn chat: one conversation's history, and follow-ups turned into standalone questions.

The archive's answerer makes a follow-up self-contained for searching (see its `condense`); the
turn's own words stay the retrieval's `focus`, which the extractive answerer answers. The previous
turn's search options carry over unless the new turn sets its own.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Unpack

from qa.archive import Archive
from qa.types import Answer, Answerer, AnswerStream, SearchOptions, ShortAnswer, Turn


class Conversation:
    """One user's conversation with an archive, answered by `answerer` (else the archive's own).
    Never shared between users."""

    def __init__(self, archive: Archive, turns: Sequence[Turn] = (), answerer: Answerer | None = None) -> None:
        self.archive = archive
        self.turns: list[Turn] = list(turns)
        self.answerer = answerer or archive.answerer

    @classmethod
    def replay(cls, archive: Archive, exchanges: Sequence[tuple[str, str]], answerer: Answerer | None = None) -> Conversation:
        """A conversation whose earlier exchanges (question, answer text) are known only as text, as
        a chat client sends them: each question is made standalone again, as it was when asked."""
        conversation = cls(archive, answerer=answerer)
        for question, text in exchanges:
            answer = Answer(text, refused=False)
            conversation.turns.append(Turn(question, conversation.standalone(question), answer))
        return conversation

    def standalone(self, question: str) -> str:
        """The question to retrieve with: the follow-up made self-contained, its end kept when
        joining it to the turns before makes it longer than a question may be."""
        if not self.turns:
            return question
        condensed = self.answerer.condense(self.turns, question)
        limit = self.archive.settings.max_question_chars
        return condensed if len(condensed) <= limit else condensed[-limit:].partition(" ")[2] or condensed[-limit:]

    def ask_stream(self, question: str, **options: Unpack[SearchOptions]) -> AnswerStream:
        """Like Archive.ask_stream, in the context of the turns so far; records the turn when the
        answer is complete."""
        if self.turns and all(value is None for value in options.values()):
            options = self.turns[-1].options
        self.archive.check(question, **options)
        standalone = self.standalone(question)
        stream = self.archive.answer_stream(self.archive.retrieve(standalone, focus=question, **options), self.answerer)

        def pieces() -> Iterator[str | ShortAnswer | Answer]:
            for piece in stream:
                if stream.short:
                    yield ShortAnswer(stream.short)
                yield piece
            self.turns.append(Turn(question, standalone, stream.answer, options))
            yield stream.answer

        wrapped = AnswerStream(pieces(), short=stream.short)
        wrapped.retrieval = stream.retrieval
        return wrapped

    def ask(self, question: str, **options: Unpack[SearchOptions]) -> Answer:
        """Like Archive.ask, in the context of the turns so far."""
        return self.ask_stream(question, **options).answer
