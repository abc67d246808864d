"""The base of every answer's model: closed, so the schema lists every key an answer holds.

``additionalProperties: false`` in the published document means a key a route starts to
send, and its model lacks, fails the schema tests instead of going undocumented; for the
routes FastAPI encodes through their model (sign-in), it fails loudly instead of being
dropped without a word."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")
