"""Bearer tokens: the one place a request's ``Authorization`` header is checked."""

from __future__ import annotations

import secrets

from milgraph.server.problems import Problem


def bearer_matches(header: str | None, token: str) -> bool:
    """True when ``header`` is ``Bearer <token>``. Compared as UTF-8 bytes in constant
    time, so any header value (non-ASCII included) is just a wrong token, never an error."""
    scheme, _, value = (header or "").partition(" ")
    if scheme.lower() != "bearer":
        return False
    given = value.strip().encode("utf-8", "surrogateescape")
    return secrets.compare_digest(given, token.encode("utf-8", "surrogateescape"))


def require_bearer(header: str | None, token: str, realm: str, detail: str) -> None:
    """Raise 401 (with ``WWW-Authenticate``) unless ``header`` carries ``token``."""
    if not bearer_matches(header, token):
        raise Problem(401, "unauthorized", "Unauthorized", detail,
                      headers={"WWW-Authenticate": f'Bearer realm="{realm}"'})  # fmt: skip
