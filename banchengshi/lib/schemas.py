"""The one base of every JSON body the API reads.

A field the schema does not know is refused (422, naming it), never silently dropped: a client that sends
`recieved_at` or `reporter.phone_number` learns its mistake instead of getting a case registered without
it, and nobody can slip a value past the schema (`status`, `registered_by`) hoping a later change of the
code will read it. Upstream events are the one exception (integrations/schemas.py): platforms send more
than we read, and API.md promises to accept it.
"""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema
from pydantic import ConfigDict


class InputSchema(Schema):
    model_config = ConfigDict(extra="forbid")


class TolerantInputSchema(Schema):
    """A body from outside that may carry more than we read: unknown fields are dropped, not stored."""

    model_config = ConfigDict(extra="ignore")


# Codes as the models store them (accounts.Unit.code, dispatch.Matter.code: 32; cases.Case.reference: 24):
# a longer value cannot name anything, and is refused before any query (PostgreSQL would refuse to store it).
Code = Annotated[str, Field(max_length=32)]
Reference = Annotated[str, Field(max_length=24)]
