"""Commands' answers: the command's seq and event id, and for mutual aid the request."""

from __future__ import annotations

from pydantic import Field

from api.schemas.closed import Closed


class CommandResult(Closed):
    """A command carried out (api.commanding.submission.Done.answer): the seq of its event,
    or of the first one when ``duplicate`` (a retry with the same Idempotency-Key)."""

    seq: int
    event_id: str
    duplicate: bool = False


class AidAnswer(CommandResult):
    request_id: str = Field(description="names the mutual aid request")


class AidGranted(AidAnswer):
    assignment_seq: int = Field(description="the seq of the assignment the grant made")
