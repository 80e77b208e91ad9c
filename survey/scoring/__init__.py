"""The scoring module: frameworks, scorecards and statistics.

Pure Python by design: nothing here imports Flask or SQLAlchemy, so the rules can be
tested, benchmarked and reused (the ``score`` CLI needs no database).
"""

from survey.scoring.definition import Framework, FrameworkError, from_dict, load_file
from survey.scoring.engine import Scorer, score, scorer_for
from survey.scoring.problems import AnswerProblem, InvalidAnswers
from survey.scoring.scorecard import PillarScore, Scorecard

__all__ = [
    "AnswerProblem",
    "Framework",
    "FrameworkError",
    "InvalidAnswers",
    "PillarScore",
    "Scorecard",
    "Scorer",
    "from_dict",
    "load_file",
    "score",
    "scorer_for",
]
