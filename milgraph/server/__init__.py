"""The SPARQL service: FastAPI app over a pool of query worker processes (see docs/http.md).

Imports are lazy so that ``python -m milgraph.server.worker`` loads only what a worker needs.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ServerConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from milgraph.server.app import create_app

        return create_app
    if name == "ServerConfig":
        from milgraph.server.config import ServerConfig

        return ServerConfig
    raise AttributeError(name)
