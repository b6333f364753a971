"""A check made now, on a user's behalf: the first look at a new number, a refresh, a carrier.

The poller asks in batches on its own time; here one number is asked at once (inside the
caller's `waiting`, so a chat shows "typing…") and the answer recorded like any other. What
went wrong is handed back as an `AddProblem`, never raised: the user's item stands either way.
"""

from __future__ import annotations

import contextlib
import logging

from bot.outcomes import AddProblem
from bot.recording import Recorder
from bot.sources import SourceBackingOffError, Sources
from bot.waiting import Waiting
from providers.base import NumberRejected, SourceError
from storage import Database
from storage.models import Shipment

log = logging.getLogger(__name__)


class FreshCheck:
    def __init__(self, db: Database, sources: Sources, recorder: Recorder) -> None:
        self._db = db
        self._sources = sources
        self._recorder = recorder

    async def ask(
        self,
        shipment: Shipment,
        exclude_user: int | None,
        waiting: Waiting = contextlib.nullcontext,
    ) -> tuple[AddProblem | None, str]:
        """The problem, if any, and the source's reason when it rejects the number."""
        try:
            async with waiting():
                outcomes = await self._sources.fetch(shipment.source, [shipment.code])
        except (SourceError, SourceBackingOffError) as exc:
            log.info("source %s unavailable for a fresh check: %s", shipment.source, exc)
            return AddProblem.SOURCE_DOWN, ""
        outcome = outcomes.get(shipment.code)
        if outcome is None:
            return AddProblem.SOURCE_DOWN, ""
        if isinstance(outcome, NumberRejected):
            await self._recorder.record_rejection(shipment, outcome)
            problem = AddProblem.NEEDS_CARRIER if outcome.needs_carrier else AddProblem.REJECTED
            return problem, outcome.reason
        async with self._db.transaction() as tx:
            await self._recorder.record_result(tx, shipment, outcome, exclude_user=exclude_user)
        return None, ""
