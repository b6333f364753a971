"""The 17TRACK v2.2 exchange: one JSON POST per endpoint, answered by an envelope or an error.

Every call carries the key in the `17token` header and is read into its wire envelope; what
fails for the whole call (transport, HTTP status, a body that is not the envelope, an error
code of the request) is raised on the error tree of `providers.base`, drawn in
`providers.track17`. What the answer says of each number is read by `providers.track17_answers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn, TypeVar

import httpx
from pydantic import ValidationError

from providers.base import AuthError, QuotaError, TemporarySourceError
from providers.http_status import raise_for_status
from providers.track17_wire import BatchData, BatchEnvelope, QuotaEnvelope

API_PATH = "/track/v2.2/"
AUTH_CODES = frozenset({-18010001, -18010002, -18010004, -18010005})
QUOTA_CODES: Mapping[int, str] = {
    -18019907: "17TRACK daily tracking limit reached",
    -18019908: "17TRACK tracking quota ran out",
}

Envelope = TypeVar("Envelope", BatchEnvelope, QuotaEnvelope)


class Track17Api:
    def __init__(self, client: httpx.AsyncClient, api_key: str) -> None:
        self._client = client
        self._headers = {"17token": api_key, "Content-Type": "application/json"}

    async def batch(self, endpoint: str, items: list[dict[str, Any]]) -> BatchData:
        """A per-number endpoint: what it accepted and rejected, number by number."""
        return (await self.post(endpoint, items, BatchEnvelope)).data

    async def post(self, endpoint: str, payload: Any, model: type[Envelope]) -> Envelope:
        try:
            response = await self._client.post(
                API_PATH + endpoint, json=payload, headers=self._headers
            )
        except httpx.TimeoutException as exc:
            raise TemporarySourceError(f"17TRACK {endpoint}: timed out") from exc
        except httpx.HTTPError as exc:
            raise TemporarySourceError(f"17TRACK {endpoint}: {type(exc).__name__}") from exc
        raise_for_status(f"17TRACK {endpoint}", response, "key or address refused")
        try:
            envelope = model.model_validate_json(response.content)
        except ValidationError as exc:
            raise TemporarySourceError(f"17TRACK {endpoint}: unexpected answer") from exc
        errors = envelope.data.errors
        if errors or envelope.code != 0:
            raise_for_code(errors[0].code if errors else envelope.code)
        return envelope


def raise_for_code(code: int) -> NoReturn:
    """An error code that concerns the whole call: refused key, spent quota, or try later."""
    if code in AUTH_CODES:
        raise AuthError(f"17TRACK refused the request (error {code})")
    if code in QUOTA_CODES:
        raise QuotaError(f"{QUOTA_CODES[code]} (error {code})")
    raise TemporarySourceError(f"17TRACK answered error {code}")
