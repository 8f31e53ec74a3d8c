"""Shared model base and the batch parser that skips (and reports) bad records."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError


class ApiModel(BaseModel):
    # defer_build: a model's validator is built on first use, not at import, so start-up
    # (which reads the cache's derived facts and validates nothing) does not pay for it.
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True, defer_build=True)


M = TypeVar("M", bound=ApiModel)
T = TypeVar("T")

# The live APIs send null for lists and objects their descriptions promise: read it as empty.
NullAsEmptyList = Annotated[list[T], BeforeValidator(lambda value: [] if value is None else value)]
NullAsEmptyDict = Annotated[dict[str, Any], BeforeValidator(lambda value: {} if value is None else value)]


@dataclass(frozen=True)
class SkippedRecord:
    kind: str
    record_id: Any
    reason: str

    def __str__(self) -> str:
        return f"skipped {self.kind} {self.record_id}: {self.reason}"


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "record"
    return f"{where}: {first['msg']}"


def parse_many(model: type[M], records: Iterable[Any]) -> tuple[list[M], list[SkippedRecord]]:
    """Parse every record it can; one malformed record never sinks the batch."""
    parsed: list[M] = []
    skipped: list[SkippedRecord] = []
    for record in records:
        record_id = record.get("id") if isinstance(record, dict) else None
        if not isinstance(record, dict):
            skipped.append(SkippedRecord(model.__name__, record_id, f"not an object: {type(record).__name__}"))
            continue
        try:
            parsed.append(model.model_validate(record))
        except ValidationError as exc:
            skipped.append(SkippedRecord(model.__name__, record_id, _reason(exc)))
    return parsed, skipped
