"""What is wrong with a set of answers, criterion by criterion."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AnswerProblem:
    criterion: str
    message: str

    def __str__(self) -> str:
        return f"{self.criterion}: {self.message}"


class InvalidAnswers(ValueError):
    """Answers that cannot be scored; ``problems`` names each criterion at fault."""

    def __init__(self, problems: list[AnswerProblem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))
