"""Validate JSON answers against the published OpenAPI 3.0 descriptions in ../shared/api/.

OpenAPI 3.0 schemas are JSON Schema with a few differences, converted here once per test
session (the Zendesk description is 1.5 MB of YAML: parsed once, with libyaml):
- `nullable: true` becomes "null allowed";
- a property that is `writeOnly` is not required in an answer;
- the documented facts in ../shared/api/README.md that the descriptions lack are applied,
  each named in `TOLERATED`, so that real recorded answers pass as they must.

`$ref`s stay as they are and are resolved by jsonschema's `referencing` registry against the
whole converted document, so an operation's schema is validated where it lives.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SHARED_API = Path(__file__).resolve().parents[3] / "shared" / "api"
if not SHARED_API.exists():  # a worktree beside the shared folder, or a clone inside it
    SHARED_API = next(
        (p / "shared" / "api" for p in Path(__file__).resolve().parents if (p / "shared" / "api").exists()), SHARED_API
    )
ZENDESK = SHARED_API / "zendesk" / "support-api.oas.yaml"
RECORDED = SHARED_API / "zendesk" / "recorded"
INCIDENTIO = SHARED_API / "incident-io" / "openapi3.json"

# Properties the live Zendesk API sends as null though the description does not say so.
# README: "The live API returns null for many fields that the description does not mark
# nullable (forum_topic_id, attachment height, ...)". The others are exactly the ones found
# null in the recorded real answers (../shared/api/zendesk/recorded/), which must pass.
NULL_TOLERATED = {
    "forum_topic_id",
    "height",
    "width",  # README
    "alias",
    "default_group_id",
    "description",
    "details",
    "email",
    "host_mapping",
    "last_login_at",
    "logo",
    "notes",
    "organization_id",
    "phone",
    "photo",
    "recipient",
    "restriction",
    "satisfaction_rating",
    "shared_phone_number",
    "signature",
    "value",  # recorded
}
# Values the live API sends outside a description's enum. README: "Zendesk's incremental
# export also returns deleted tickets, with "status": "deleted"".
ENUM_EXTRA = {"status": ["deleted"]}
# Types the live API sends beyond a description's: audit events' `value` is a list for tags
# (recorded/TestTicketAudits.test_values.json: {"field_name": "tags", "value": ["sample", ...]}),
# where AuditObject says string or integer.
TYPE_EXTRA = {"value": {"type": "array", "items": {"type": "string"}}}
# Statuses the live API answers with where the description names another: creating a macro
# answers 201 (recorded/TestMacrosCreateUpdateDelete.test_values.json); the description says 200.
STATUS_ALIASES = {("POST", "/api/v2/macros"): {201: 200}}
TOLERATED = {"nulls": NULL_TOLERATED, "enum_extra": ENUM_EXTRA, "type_extra": TYPE_EXTRA, "status": STATUS_ALIASES}


class _SpecLoader(yaml.CSafeLoader):
    """YAML 1.1 reads a bare `=` as the `value` type; the description means the string."""


def _plain_string(loader: yaml.SafeLoader, node: yaml.Node) -> str:
    assert isinstance(node, yaml.ScalarNode)
    return str(loader.construct_scalar(node))


_SpecLoader.add_constructor("tag:yaml.org,2002:value", _plain_string)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        widened = {**schema, "type": [kind, "null"]}
        if "enum" in widened:
            widened["enum"] = [*widened["enum"], None]
        return widened
    if isinstance(kind, list):
        return {**schema, "type": sorted({*kind, "null"})}
    return {"anyOf": [schema, {"type": "null"}]}


def convert(node: Any, property_name: str | None = None, nulls: AbstractSet[str] = frozenset()) -> Any:
    """OpenAPI 3.0 schema objects (anywhere in the document) to JSON Schema."""
    if isinstance(node, list):
        return [convert(item, None, nulls) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out[key] = {name: convert(sub, name, nulls) for name, sub in value.items()}
        elif key in ("example", "examples") and not isinstance(value, dict | list):
            out[key] = value
        else:
            out[key] = convert(value, None, nulls)
    properties = out.get("properties")
    if isinstance(properties, dict) and isinstance(out.get("required"), list):
        # A writeOnly property is not in answers; and a property the description requires but
        # never describes (incident.io's UserV2 `slack_role`, ExternalResourceV1 `id`) has no
        # shape anyone could check: both are left out of `required`.
        out["required"] = [
            name for name in out["required"] if name in properties and not (properties.get(name) or {}).get("writeOnly")
        ]
    if property_name in TYPE_EXTRA:
        for combinator in ("oneOf", "anyOf"):
            if isinstance(out.get(combinator), list):
                out[combinator] = [*out[combinator], TYPE_EXTRA[property_name]]
    if property_name in ENUM_EXTRA and isinstance(out.get("enum"), list):
        out["enum"] = [*out["enum"], *ENUM_EXTRA[property_name]]
    if out.pop("nullable", False) or (
        property_name in nulls and bool({"type", "$ref", "allOf", "anyOf", "oneOf"} & set(out))
    ):
        out = _nullable(out)
    return out


@dataclass
class Spec:
    """One converted description and its operations' response schemas."""

    uri: str
    document: dict[str, Any]
    registry: Registry
    templates: list[tuple[re.Pattern[str], str]]

    def operation(self, path: str) -> str | None:
        """The description's path template that `path` (with or without `.json`) falls under."""
        bare = path.removesuffix(".json")
        matches = [template for pattern, template in self.templates if pattern.match(bare)]
        # Literal segments beat parameters: /tickets/show_many before /tickets/{ticket_id}.
        return min(matches, key=lambda t: t.count("{")) if matches else None

    def validator(self, method: str, path: str, status: int) -> Draft7Validator | None:
        template = self.operation(path)
        if template is None:
            return None
        responses = ((self.document["paths"][template].get(method.lower()) or {}).get("responses")) or {}
        status = STATUS_ALIASES.get((method.upper(), template), {}).get(status, status)
        answer = responses.get(str(status))
        if not answer or "application/json" not in (answer.get("content") or {}):
            return None
        pointer = "/".join(
            part.replace("~", "~0").replace("/", "~1")
            for part in (
                "paths",
                template,
                method.lower(),
                "responses",
                str(status),
                "content",
                "application/json",
                "schema",
            )
        )
        return Draft7Validator({"$ref": f"{self.uri}#/{pointer}"}, registry=self.registry)

    def errors(self, method: str, path: str, status: int, body: Any) -> list[str] | None:
        """None when the description has no JSON schema for this answer; else its errors."""
        validator = self.validator(method, path, status)
        if validator is None:
            return None
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message[:300]}" for e in validator.iter_errors(body)
        ]


def _spec(uri: str, raw: dict[str, Any], nulls: AbstractSet[str]) -> Spec:
    document = convert(raw, None, nulls)
    registry = Registry().with_resource(uri, Resource.from_contents(document, default_specification=DRAFT7))
    templates = [
        (re.compile("^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(path)) + "$"), path)
        for path in document["paths"]
    ]
    return Spec(uri, document, registry, templates)


@functools.cache
def zendesk() -> Spec:
    with ZENDESK.open(encoding="utf-8") as handle:
        raw = yaml.load(handle, Loader=_SpecLoader)  # a safe loader, with one more scalar type
    return _spec("urn:zendesk-support-api", raw, NULL_TOLERATED)


@functools.cache
def incidentio() -> Spec:
    return _spec("urn:incident-io", json.loads(INCIDENTIO.read_text(encoding="utf-8")), set())


def recorded() -> list[tuple[str, dict[str, Any]]]:
    """Every recorded real exchange, as (file name, {request, response})."""
    found = []
    for path in sorted(RECORDED.glob("*.json")):
        for exchange in json.loads(path.read_text(encoding="utf-8")):
            found.append((path.name, exchange))
    return found
