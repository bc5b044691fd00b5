"""What a rating page or screen needs of one service's evaluation, wherever it is kept
(the embedded hall's journal, the hall server's tables): the phone page, the kiosk's
screen and the hall server answer with it."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.evaluation import EvaluationLevel

# A kiosk screen's evaluation kept in the kiosk's outbox while the hall server could
# not be reached (kiosk/terminal_backends.py), applied by the server on delivery
# (kiosk/hall/server/store/terminal_records.py). Payload: evaluation_id (made by the
# kiosk: the same online and offline), level (None: a 差评's content only), reasons,
# note. No personal data.
OFFLINE_EVALUATION_KIND = "evaluation.terminal"


@dataclass(frozen=True)
class EvaluationState:
    """The ticket's number, whether it was served, its counted level (None: not rated
    yet), and whether 差评 content was given."""

    number: str
    served: bool
    level: int | None
    content_given: bool

    @property
    def wants_content(self) -> bool:
        """A 差评 without its reasons yet."""
        return (
            self.level is not None
            and self.level >= EvaluationLevel.DISSATISFIED
            and not self.content_given
        )
