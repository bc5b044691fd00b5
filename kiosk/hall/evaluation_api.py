"""The hall server's 好差评 models (their paths are in kiosk/hall/api.py with the
rest): the phone page's 差评 content by the ticket's unguessable id, staff at a
window from the dashboard, follow-ups, figures per staff."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from kiosk.hall.api import Timed, _In, _Out
from kiosk.text import Text

REASON_PATTERN = r"^[a-z][a-z0-9_]{0,39}$"
STAFF_PATTERN = r"^[0-9]{1,16}$"
EVALUATION_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class ReasonOut(_Out):
    code: str
    category: str
    name: Text


class EvaluationStateOut(Timed):
    number: str
    served: bool
    level: int | None = Field(description="The counted level, 1..5; null: not evaluated yet.")
    content_given: bool
    wants_content: bool = Field(description="A 差评 whose reasons may still be given.")
    reasons: list[ReasonOut]


class EvaluationContentIn(_In):
    level: int | None = Field(
        None, ge=1, le=5, description="Only when the service is not evaluated yet."
    )
    reasons: list[str] = Field(default_factory=list, max_length=10)
    note: str = Field("", max_length=500)
    evaluation_id: str | None = Field(
        None,
        pattern=EVALUATION_ID_PATTERN,
        description="A kiosk's screen names its evaluation (the same id if it is delivered"
        " again from the kiosk's outbox): kept once. Ignored without a kiosk's token.",
    )

    def reason_codes(self) -> list[str]:
        return list(self.reasons)


class WindowStaffIn(_In):
    staff_id: str | None = Field(description="null signs the window's staff out.")


class WindowStaffOut(Timed):
    window: int
    staff_id: str | None


class FollowUpIn(_In):
    assignee: str | None = Field(None, max_length=100)
    contact_result: str | None = Field(None, max_length=500)
    rectification: str | None = Field(None, max_length=500)
    contact_phone: str | None = Field(None, pattern=r"^1[3-9][0-9]{9}$")
    consent: bool = Field(False, description="The taxpayer agreed that the phone is kept.")
    close: bool = False
    closing_note: str = Field("", max_length=500)


class FollowUpOut(Timed):
    evaluation_id: str
    opened_at: str
    deadline: date
    assignee: str
    contact_result: str
    rectification: str
    contact_phone: str = Field(description="Masked: 138****5678.")
    closed_at: str | None
    closing_note: str


class OverdueFollowUp(_Out):
    evaluation_id: str
    deadline: date
    window: int
    staff_id: str | None
    level: int
    case_number: str | None


class OverdueFollowUpsOut(Timed):
    follow_ups: list[OverdueFollowUp]


class StaffFigureOut(_Out):
    staff_id: str
    calls: int
    services: int
    service_minutes: float
    evaluated: int
    bad: int
    wait_minutes: float = Field(
        0.0, description="Mean minutes from issue to the staff's first call of the number."
    )


class StaffFiguresOut(Timed):
    staff: list[StaffFigureOut]
