"""The OpenAPI document says what the server refuses, so clients (and fuzzers) can trust it.

Litestar's pydantic plugin builds each model's schema from its fields, and on the way it drops
`extra="forbid"` and the constraints of nested types (a list item's or a union member's
`pattern`, `ge`/`le`): the published bodies accepted unknown fields and values that the server
then answered with 422. This plugin replaces it (same schemas otherwise): a model that forbids
extras is `additionalProperties: false`, and the constraints pydantic enforces are copied from
pydantic's own JSON schema where Litestar left them out (and `null` dropped where pydantic
refuses it). Being the app's one pydantic schema plugin, it covers routes added tomorrow too.

Two passes over the built document (app startup) do the same for what no model describes:
`parameters_as_read` (URL parameters as Litestar reads text: no `null` string, 0/1 flags) and
`validation_errors_documented` (400/422 in the envelope wherever input is validated).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from litestar.enums import MediaType
from litestar.openapi.spec import (
    Example,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
)
from litestar.plugins.pydantic import PydanticSchemaPlugin
from pydantic import BaseModel, PydanticUserError

from api.errors import ErrorBody, error_responses

if TYPE_CHECKING:
    from litestar import Litestar
    from litestar._openapi.schema_generation.schema import SchemaCreator
    from litestar.typing import FieldDefinition

# JSON Schema keyword → litestar Schema attribute: the constraints pydantic validates.
CONSTRAINTS = {
    "pattern": "pattern",
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
    "minLength": "min_length",
    "maxLength": "max_length",
    "minItems": "min_items",
    "maxItems": "max_items",
    "multipleOf": "multiple_of",
}


def refuses_extra_fields(model: object) -> bool:
    """A pydantic model that answers 422 to a field it does not declare."""
    return (
        isinstance(model, type)
        and issubclass(model, BaseModel)
        and model.model_config.get("extra") == "forbid"
    )


def _type_of(schema: Schema | dict[str, Any]) -> str | None:
    found = schema.type if isinstance(schema, Schema) else schema.get("type")
    if isinstance(found, OpenAPIType):
        return found.value
    return found if isinstance(found, str) else None


def _members(enforced: dict[str, Any]) -> list[dict[str, Any]]:
    """A union's members, nested unions flattened (Litestar flattens them too)."""
    found: list[dict[str, Any]] = []
    for member in enforced.get("anyOf", enforced.get("oneOf", [])):
        found.extend(_members(member) if "anyOf" in member or "oneOf" in member else [member])
    return found


def _nullable(enforced: dict[str, Any]) -> bool:
    return enforced.get("type") == "null" or any(_type_of(m) == "null" for m in _members(enforced))


def fill_constraints(schema: Schema, enforced: dict[str, Any]) -> Schema:
    """`schema` with the constraints of pydantic's JSON schema `enforced` that it lacks, into
    array items and union members too (matched by type, in order), and without the `null`
    member where pydantic refuses null. Returns the schema to publish."""
    if not _nullable(enforced):
        schema = _without_null(schema)
        alone = [m for m in _members(enforced) if _type_of(m) != "null"]
        if not schema.one_of and len(alone) == 1:  # `X | None` refusing null: X's constraints
            enforced = {**alone[0], **enforced}
    for keyword, attribute in CONSTRAINTS.items():
        if keyword in enforced and getattr(schema, attribute) is None:
            setattr(schema, attribute, enforced[keyword])
    if isinstance(schema.items, Schema) and isinstance(enforced.get("items"), dict):
        schema.items = fill_constraints(schema.items, enforced["items"])
    candidates = [c for c in _members(enforced) if "$ref" not in c]
    for n, member in enumerate(schema.one_of or []):
        if not isinstance(member, Schema):
            continue
        match = next((c for c in candidates if _type_of(c) == _type_of(member)), None)
        if match is not None:
            candidates.remove(match)
            schema.one_of[n] = fill_constraints(member, match)  # type: ignore[index]
    return schema


class ClosedBodiesSchemaPlugin(PydanticSchemaPlugin):
    """Pydantic schemas as Litestar makes them, closed where the model forbids extras and with
    every constraint pydantic enforces."""

    @classmethod
    def for_pydantic_model(
        cls, field_definition: FieldDefinition, schema_creator: SchemaCreator
    ) -> Schema:
        schema = super().for_pydantic_model(field_definition, schema_creator)
        model = field_definition.annotation
        if refuses_extra_fields(model):
            schema.additional_properties = False
        try:
            enforced = model.model_json_schema(mode="validation").get("properties", {})
        except PydanticUserError:  # a type pydantic cannot describe: Litestar's schema stands
            return schema
        for name, prop in (schema.properties or {}).items():
            if isinstance(prop, Schema) and isinstance(enforced.get(name), dict):
                schema.properties[name] = fill_constraints(prop, enforced[name])  # type: ignore[index]
        return schema


def _is_null(schema: Schema | Reference) -> bool:
    return isinstance(schema, Schema) and _type_of(schema) == "null"


def _without_null(schema: Schema) -> Schema:
    """`schema` without its `null` member (the one member left stands alone)."""
    if isinstance(schema.type, list) and OpenAPIType.NULL in schema.type:  # a nullable choice
        kinds = [t for t in schema.type if t != OpenAPIType.NULL]
        schema.type = kinds[0] if len(kinds) == 1 else kinds
        schema.enum = [v for v in schema.enum if v is not None] if schema.enum else schema.enum
    members = [m for m in schema.one_of or [] if not _is_null(m)]
    if not schema.one_of or len(members) == len(schema.one_of):
        return schema
    if len(members) == 1 and isinstance(members[0], Schema):
        kept = members[0]
        for attribute in ("description", "examples", "default", *CONSTRAINTS.values()):
            if getattr(kept, attribute) is None and getattr(schema, attribute) is not None:
                setattr(kept, attribute, getattr(schema, attribute))
        return kept
    schema.one_of = members
    return schema


def _spelled_null_is_a_string(schema: Schema) -> bool:
    """A query value "null" is None for an optional date, number, bool or choice (Litestar
    reads it so), but the string "null" for an optional free string."""
    members = [m for m in schema.one_of or [] if not _is_null(m)]
    return (
        len(members) == 1
        and isinstance(members[0], Schema)
        and _type_of(members[0]) == "string"
        and members[0].format is None
        and members[0].enum is None
    )


def _operations(openapi: OpenAPI) -> Iterator[Operation]:
    for path_item in (openapi.paths or {}).values():
        for method in ("get", "put", "post", "delete", "options", "head", "patch", "trace"):
            operation: Operation | None = getattr(path_item, method)
            if operation is not None:
                yield operation


def _flags_as_read(schema: Schema) -> Schema:
    """A boolean in a URL is also 0 or 1 (Litestar reads `?refresh=0` as false)."""
    bits = Schema(type=OpenAPIType.INTEGER, enum=[0, 1])
    if _type_of(schema) == "boolean":
        return Schema(one_of=[Schema(type=OpenAPIType.BOOLEAN), bits], default=schema.default,
                      description=schema.description, examples=schema.examples)  # fmt: skip
    if any(isinstance(m, Schema) and _type_of(m) == "boolean" for m in schema.one_of or []):
        schema.one_of = [*(schema.one_of or []), bits]
    return schema


def parameters_as_read(openapi: OpenAPI) -> None:
    """Query and path parameters documented as the server reads them from a URL, where every
    value is text: an optional string is absent, never `null` ("null" there is the string,
    which a store id's pattern refuses), and a boolean is also 0 or 1."""
    for operation in _operations(openapi):
        for parameter in operation.parameters or []:
            schema = parameter.schema if isinstance(parameter, Parameter) else None
            if not isinstance(schema, Schema):
                continue
            if _spelled_null_is_a_string(schema):
                schema = _without_null(schema)
            parameter.schema = _flags_as_read(schema)  # type: ignore[union-attr]


def _envelope(status: int) -> OpenAPIResponse:
    spec = error_responses(status)[status]
    examples: dict[str, Example | Reference] = {
        f"errorbody-example-{n}": e for n, e in enumerate(spec.examples or [], 1)
    }
    schema = Reference(ref=f"#/components/schemas/{ErrorBody.__name__}")
    media = spec.media_type.value if isinstance(spec.media_type, MediaType) else spec.media_type
    content = {media: OpenAPIMediaType(schema=schema, examples=examples)}
    return OpenAPIResponse(description=spec.description, content=content)


def _is_envelope(response: OpenAPIResponse | Reference) -> bool:
    media = response.content or {} if isinstance(response, OpenAPIResponse) else {}
    return any(
        isinstance(m.schema, Reference) and m.schema.ref.endswith(f"/{ErrorBody.__name__}")
        for m in media.values()
    )


def validation_errors_documented(openapi: OpenAPI) -> None:
    """Where Litestar validates input (a parameter or a body, its own rule for documenting a
    400), the server answers refused input with the envelope: 422 `VALIDATION_ERROR` naming the
    fields, 400 when the body is not even JSON. Litestar documents its own 400 body instead
    and no 422; both are corrected here for every route, present and future."""
    for operation in _operations(openapi):
        if not (operation.parameters or operation.request_body):
            continue
        responses = operation.responses if operation.responses is not None else {}
        for status in (400, 422):
            if str(status) not in responses or not _is_envelope(responses[str(status)]):
                responses[str(status)] = _envelope(status)
        operation.responses = dict(sorted(responses.items()))


def paths_in_source_order(app: Litestar) -> None:
    """Operations in the order their handlers are written (a controller's order is the
    workflow's: start, query-customer, ... submit), not Litestar's alphabetical one, so the
    docs page shows the renewal steps as staff walk them."""
    written: dict[str, tuple[str, int]] = {}
    for route in app.routes:
        for handler in getattr(route, "route_handlers", ()):
            code = getattr(inspect.unwrap(handler.fn), "__code__", None)
            if code is None or not handler.include_in_schema:  # e.g. Litestar's OPTIONS
                continue
            here = (code.co_filename, code.co_firstlineno)
            written[route.path_format] = min(written.get(route.path_format, here), here)
    paths = app.openapi_schema.paths
    if paths:
        first = {path: n for n, path in enumerate(paths)}  # files in the order Litestar met them
        files: dict[str, int] = {}
        for path in paths:
            files.setdefault(written.get(path, ("", 0))[0], first[path])

        def key(path: str) -> tuple[int, int]:
            where, line = written.get(path, ("", 0))
            return files[where], line

        app.openapi_schema.paths = dict(sorted(paths.items(), key=lambda item: key(item[0])))
