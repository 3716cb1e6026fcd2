"""The OpenAPI document says what the server really answers: every status an operation can
give (with ``application/problem+json`` and its schema for the errors), and the limits of
every parameter (``timeout`` finite and at most ``--query-timeout``, ``asOf`` a non-empty
date). The fuzz test (tests/test_hostile_fuzz.py) holds the server to this document.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from milgraph.server.config import ServerConfig

PROBLEM_MEDIA = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "request_id": {"type": "string"},
        "line": {"type": "integer"},
        "column": {"type": "integer"},
        "excerpt": {"type": "string"},
    },
    "additionalProperties": True,
}
_REF = {"$ref": "#/components/schemas/Problem"}

#: What each error status means, wherever it is declared.
MEANING = {
    "400": "Malformed query, update or parameter (with line, column and excerpt when the "
           "text is at fault), or a request too deep to parse",
    "401": "Missing or wrong bearer token",
    "403": "Refused: an update sent to a read-only endpoint, SERVICE/LOAD to a host not on "
           "the allow-list, or admin endpoints disabled",
    "404": "Not found",
    "405": "Method not allowed",
    "406": "No acceptable answer format",
    "409": "Ambiguous name (choices in the body)",
    "413": "Request body larger than --max-body-bytes",
    "414": "Request URL longer than 64 KiB (send the query in a POST body)",
    "415": "Unsupported request Content-Type or charset",
    "422": "Well-formed but cannot be answered (result-size cap, unsupported function…)",
    "431": "Request headers larger than 64 KiB or more than 100 fields",
    "503": "Busy, query deadline passed, or no snapshot loaded yet (Retry-After)",
}  # fmt: skip
#: Errors any request can get before it reaches its route.
EVERYWHERE = ("400", "413", "414", "431")
BY_PATH = {
    "/sparql": ("403", "406", "415", "422", "503"),
    "/update": ("401", "403", "415", "422", "503"),
    "/void": ("406", "503"),
    "/health": ("503",),
    "/admin/reload": ("401", "403", "422"),
    "/admin/status": ("401", "403"),
}
NAMED = ("406", "422", "503")
ANALYSIS = ("404", "406", "409", "422", "503")


def install(app: FastAPI, config: ServerConfig) -> None:
    """Replace ``app.openapi`` by one that completes FastAPI's document (built once)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(build(), config)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(schema: dict[str, Any], config: ServerConfig) -> dict[str, Any]:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            if not isinstance(op, dict) or "responses" not in op:
                continue
            responses = op["responses"]
            validation = responses.pop("422", None)
            if validation is not None and "HTTPValidationError" not in str(validation):
                responses["422"] = validation  # a real 422, not FastAPI's validation stub
            codes = set(EVERYWHERE) | set(_codes_for(path))
            if method.lower() == "post" and path == "/sparql":
                codes.add("415")
            for code in sorted(codes):
                responses.setdefault(code, {"description": MEANING[code]})
            if "204" in responses:
                responses.pop("200", None)  # FastAPI's default; the update answers 204
            if path.startswith("/api/queries/") and not any(
                p.get("name") == "timeout" for p in op.get("parameters", [])
            ):
                op.setdefault("parameters", []).append({"name": "timeout", "in": "query"})
            for code, response in responses.items():
                if code[:1] in "45":
                    response.setdefault("description", MEANING.get(code, "Error"))
                    response["content"] = {PROBLEM_MEDIA: {"schema": _REF}}
            for parameter in op.get("parameters", []):
                _constrain(parameter, config)
    return schema


def _codes_for(path: str) -> tuple[str, ...]:
    if path in BY_PATH:
        return BY_PATH[path]
    if path.startswith("/api/queries/"):
        return NAMED
    if path.startswith("/api/"):
        return ANALYSIS
    return ()


def _constrain(parameter: dict[str, Any], config: ServerConfig) -> None:
    """The limits the server enforces, written into the parameter's schema."""
    name = parameter.get("name")
    schema = parameter.setdefault("schema", {})
    if name == "timeout":
        parameter["schema"] = {"type": "number", "exclusiveMinimum": 0,
                               "maximum": config.query_timeout}  # fmt: skip
        parameter["description"] = (
            f"Deadline in seconds: a decimal greater than 0 (no NaN, infinity or exponent); "
            f"values above the server's --query-timeout ({config.query_timeout:g}) are capped."
        )
    elif name == "asOf" and "anyOf" not in schema:
        schema.update({"type": "string", "format": "date", "minLength": 1})
    elif name == "inference":
        parameter["schema"] = {"type": "boolean", "default": True}
    elif name == "query":
        schema.setdefault("maxLength", 64 * 1024)
