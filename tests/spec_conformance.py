"""Check an outgoing httpx.Request against the OpenAI organization OpenAPI spec.

`check_request(spec, request)` returns a list of problems (empty when the request conforms): the path and method
exist, every query name is a parameter of that operation (deep-object params such as the audit log's
`effective_at` only as `effective_at[gte]` etc.), required ones are present, values parse as their type and fall
within their enums (array items and $ref'd enums too), and a JSON body matches the operation's requestBody schema.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx

_DEEP_KEY = re.compile(r"^(?P<base>[^\[\]]+)\[(?P<key>[^\[\]]+)\]$")
_INTEGER = re.compile(r"^-?\d+$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")


def check_request(spec: dict[str, Any], request: httpx.Request) -> list[str]:
    """Every way `request` departs from `spec`, as readable one-line problems."""
    method = request.method.lower()
    path = _api_path(spec, request.url.path)
    if path is None:
        return [f"{request.url.path} is not under the spec's server path"]
    template = _match_path(spec, path, method)
    if template is None:
        known = [t for t in spec["paths"] if _template_regex(t).fullmatch(path)]
        if known:
            return [f"{request.method} is not an operation of {known[0]} (has {sorted(spec['paths'][known[0]])})"]
        return [f"{path} matches no path in the spec"]
    where = f"{request.method} {template}"
    operation = spec["paths"][template][method]
    parameters = [
        _resolve(spec, p) for p in [*spec["paths"][template].get("parameters", []), *operation.get("parameters", [])]
    ]
    problems = _check_query(spec, where, parameters, request.url.query.decode("ascii"))
    problems += _check_body(spec, where, operation, request)
    return problems


# ---- paths ---------------------------------------------------------------------------------------------------------


def _api_path(spec: dict[str, Any], path: str) -> str | None:
    prefixes = [urlsplit(server["url"]).path.rstrip("/") for server in spec.get("servers", [])] or [""]
    for prefix in prefixes:
        if path.startswith(prefix + "/"):
            return path[len(prefix) :]
    return None


def _template_regex(template: str) -> re.Pattern[str]:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if part.startswith("{") else re.escape(part) for part in parts))


def _match_path(spec: dict[str, Any], path: str, method: str) -> str | None:
    """The spec path for `path` and `method`; a literal path wins over a template ('/activate' vs '/{id}')."""
    candidates = [t for t, item in spec["paths"].items() if method in item and _template_regex(t).fullmatch(path)]
    return min(candidates, key=lambda t: t.count("{"), default=None)


# ---- query ---------------------------------------------------------------------------------------------------------


def _check_query(spec: dict[str, Any], where: str, parameters: list[dict[str, Any]], raw_query: str) -> list[str]:
    problems: list[str] = []
    query_params = {p["name"]: p for p in parameters if p.get("in") == "query"}
    seen: dict[str, int] = {}
    for name, value in parse_qsl(raw_query, keep_blank_values=True):
        if name in query_params:
            schema = _resolve(spec, query_params[name].get("schema", {}))
            seen[name] = seen.get(name, 0) + 1
            if schema.get("type") == "array":
                problems += _check_text(spec, _resolve(spec, schema.get("items", {})), value, f"{where} ?{name}")
            elif schema.get("type") == "object":
                problems.append(f"{where}: object parameter {name!r} must be sent as {name}[key]=value")
            else:
                problems += _check_text(spec, schema, value, f"{where} ?{name}")
            continue
        deep = _DEEP_KEY.match(name)
        parent = query_params.get(deep["base"]) if deep else None
        parent_schema = _resolve(spec, parent.get("schema", {})) if parent else {}
        if deep and parent_schema.get("type") == "object":
            properties = parent_schema.get("properties", {})
            if deep["key"] not in properties:
                problems.append(f"{where}: {name!r} is not a key of {deep['base']} (keys: {sorted(properties)})")
            else:
                seen[name] = seen.get(name, 0) + 1
                problems += _check_text(spec, _resolve(spec, properties[deep["key"]]), value, f"{where} ?{name}")
            continue
        problems.append(f"{where}: query parameter {name!r} is not in the spec (known: {sorted(query_params)})")
    for name, count in seen.items():
        schema = _resolve(spec, query_params[name]["schema"]) if name in query_params else {}
        if count > 1 and schema.get("type") != "array":
            problems.append(f"{where}: {name!r} sent {count} times but it is not an array parameter")
    for name, param in query_params.items():
        if param.get("required") and name not in seen:
            problems.append(f"{where}: required query parameter {name!r} is missing")
    return problems


def _check_text(spec: dict[str, Any], schema: dict[str, Any], text: str, where: str) -> list[str]:
    """A query value (always text on the wire) against a scalar schema."""
    schema = _resolve(spec, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [_check_text(spec, branch, text, where) for branch in schema[key]]
            return [] if any(not b for b in branches) else branches[0]
    kind = schema.get("type")
    if kind == "integer" and not _INTEGER.fullmatch(text):
        return [f"{where}: {text!r} is not an integer"]
    if kind == "number" and not _NUMBER.fullmatch(text):
        return [f"{where}: {text!r} is not a number"]
    if kind == "boolean" and text not in ("true", "false"):
        return [f"{where}: {text!r} is not a boolean (true/false)"]
    if "enum" in schema and _typed(kind, text) not in schema["enum"]:
        return [f"{where}: {text!r} is not one of {schema['enum']}"]
    return []


def _typed(kind: str | None, text: str) -> Any:
    if kind == "integer" and _INTEGER.fullmatch(text):
        return int(text)
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    return text


# ---- body ----------------------------------------------------------------------------------------------------------


def _check_body(spec: dict[str, Any], where: str, operation: dict[str, Any], request: httpx.Request) -> list[str]:
    content = request.content
    body_spec = _resolve(spec, operation.get("requestBody", {}))
    if not body_spec:
        return [f"{where} takes no request body but {len(content)} bytes were sent"] if content else []
    if not content:
        return [f"{where} requires a JSON body"] if body_spec.get("required") else []
    media = body_spec.get("content", {}).get("application/json")
    if media is None:
        return [f"{where} does not take a JSON body"]
    if not request.headers.get("content-type", "").startswith("application/json"):
        return [f"{where}: body sent without Content-Type: application/json"]
    try:
        body = json.loads(content)
    except ValueError:
        return [f"{where}: body is not valid JSON"]
    return _check_json(spec, media.get("schema", {}), body, f"{where} body")


def _check_json(spec: dict[str, Any], schema: dict[str, Any], value: Any, where: str) -> list[str]:
    """A JSON value against a schema: types, enums, object properties (no unknown ones) and required fields."""
    schema = _resolve(spec, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            branches = [_check_json(spec, branch, value, where) for branch in schema[key]]
            return [] if any(not b for b in branches) else branches[0]
    if "allOf" in schema:
        return [p for branch in schema["allOf"] for p in _check_json(spec, branch, value, where)]
    kind = schema.get("type")
    if kind is not None and not _is_type(kind, value):
        return [f"{where}: {value!r} is not of type {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        return [f"{where}: {value!r} is not one of {schema['enum']}"]
    problems: list[str] = []
    if isinstance(value, dict) and (kind == "object" or "properties" in schema):
        properties = schema.get("properties", {})
        for name, item in value.items():
            if name not in properties and not schema.get("additionalProperties"):
                problems.append(f"{where}: field {name!r} is not in the schema (fields: {sorted(properties)})")
            elif name in properties:
                problems += _check_json(spec, properties[name], item, f"{where}.{name}")
        problems += [
            f"{where}: required field {name!r} is missing" for name in schema.get("required", []) if name not in value
        ]
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            problems += _check_json(spec, schema["items"], item, f"{where}[{index}]")
    return problems


def _is_type(kind: str, value: Any) -> bool:
    checks = {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "array": lambda v: isinstance(v, list),
        "object": lambda v: isinstance(v, dict),
        "null": lambda v: v is None,
    }
    return checks.get(kind, lambda v: True)(value)


def _resolve(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Follow local $refs ('#/components/...') until a concrete node."""
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node
