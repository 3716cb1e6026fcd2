"""Pages for people: the query workbench at ``/``, the views under ``/ui/``, offline API docs.

Every page is a small HTML shell (title, favicon, one stylesheet, one script built from
``web/`` by ``make web``) and reads the same HTTP API dashboards use. Assets are served from
``web/dist`` (``MILGRAPH_WEB_DIST`` moves it) under ``/ui/static/``; nothing is loaded from
another host, and the Content-Security-Policy says so to the browser.

``BrowserPages`` answers browsers that *navigate* to ``/sparql``, ``/void`` or a named-query URL
with a page instead of a file to download (the rule is in ``milgraph.server.browser``).
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.staticfiles import StaticFiles

from milgraph import __version__
from milgraph.namespaces import PREFIXES
from milgraph.paths import PROJECT_ROOT
from milgraph.server import browser
from milgraph.server.state import ServerState

WEB_DIST = Path(os.environ.get("MILGRAPH_WEB_DIST") or PROJECT_ROOT / "web" / "dist")
STATIC = "/ui/static"
GEO = "http://www.w3.org/2003/01/geo/wgs84_pos#"

#: Nothing but this server: scripts, styles, images, fetches, workers (Redoc uses a blob worker).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'self'"
)

NAV = (
    ("/", "Workbench"),
    ("/ui/network", "Alliance network"),
    ("/ui/map", "Exercise map"),
    ("/ui/nation/USA", "Nation"),
    ("/ui/dyad/USA/JPN", "Two nations"),
    ("/docs", "API"),
)


def _config_json(config: dict[str, Any]) -> str:
    return json.dumps(config, ensure_ascii=False).replace("</", "<\\/")


def page(kind: str, title: str, config: dict[str, Any] | None = None, status: int = 200,
         headers: dict[str, str] | None = None) -> Response:  # fmt: skip
    """The HTML shell of one page; its script (``web/src/pages/<kind>.js``) draws it."""
    if not (WEB_DIST / f"{kind}.js").is_file():
        return HTMLResponse(
            f"<!doctype html><title>Not built — milgraph</title><p>The web assets are not "
            f"built ({html.escape(str(WEB_DIST))} has no {kind}.js): run <code>make web</code> "
            "(or <code>make serve</code>, which does it).</p>", 503,
            headers={"Cache-Control": "no-store"},
        )  # fmt: skip
    here = ' class="here"'
    nav = "".join(
        f'<a href="{href}"{here if href.startswith("/ui/" + kind) else ""}>{label}</a>'
        for href, label in NAV
    )
    body = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} — milgraph</title>
<link rel="icon" href="{STATIC}/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="{STATIC}/{kind}.css">
</head>
<body data-page="{kind}">
<header class="topbar"><a class="brand" href="/"><img src="{STATIC}/favicon.svg" alt="">
milgraph</a><nav>{nav}</nav></header>
<main id="app" aria-live="polite"><p class="loading">Loading…</p></main>
<script type="application/json" id="milgraph-config">{_config_json(config or {})}</script>
<script type="module" src="{STATIC}/{kind}.js"></script>
</body>
</html>
"""
    out = {"Content-Security-Policy": CSP, "Cache-Control": "no-cache", "Vary": browser.VARY,
           "X-Content-Type-Options": "nosniff", **(headers or {})}  # fmt: skip
    return HTMLResponse(body, status, headers=out)


def workbench_config(state: ServerState, autorun: bool = False) -> dict[str, Any]:
    from milgraph.server.views_api import example_value

    return {
        "endpoint": "/sparql",
        "prefixes": {**PREFIXES, "geo": GEO},
        "autorun": autorun,
        "version": __version__,
        "queries": [
            {"name": nq.name, "summary": nq.summary, "description": nq.description,
             "tags": nq.tags,
             "params": [{"name": p.name, "type": p.type, "required": p.required,
                         "default": p.default, "description": p.description,
                         "example": p.default if p.default and p.default != "today"
                         else (example_value(p) if p.required else "")}
                        for p in nq.params]}
            for nq in state.named.values()
        ],
    }  # fmt: skip


def index_links(request: Request) -> dict[str, str]:
    base = str(request.base_url).rstrip("/")
    return {
        "service": "milgraph SPARQL service", "version": __version__,
        "workbench": f"{base}/", "sparql": f"{base}/sparql",
        "named_queries": f"{base}/api/queries", "void": f"{base}/void",
        "docs": f"{base}/docs", "redoc": f"{base}/redoc", "openapi": f"{base}/openapi.json",
        "health": f"{base}/health", "metrics": f"{base}/metrics",
        "views": f"{base}/ui/network",
    }  # fmt: skip


# --------------------------------------------------------------------------- browsers


class BrowserPages:
    """Answers a browser's navigation to a data URL with a page (``browser.wants_page``).

    Called first by ``MilgraphApp`` for every HTTP request; returns False, having sent
    nothing, for everything else (a few dictionary look-ups per request)."""

    def __init__(self, state: ServerState) -> None:
        self.state = state

    def _page_for(self, path: str, params: dict[str, str]) -> Response | None:
        if path == "/sparql":
            if params.get("query"):
                return page("workbench", "Query", workbench_config(self.state, autorun=True))
            return page("rdf", "Service description",
                        {"url": "/sparql", "title": "SPARQL service description"})
        if path == "/void":
            return page("rdf", "Dataset description (VoID)",
                        {"url": "/void", "title": "Dataset description (VoID)"})
        if path.startswith("/api/queries/"):
            name = path[len("/api/queries/"):]
            nq = self.state.named.get(name)
            if nq is None:
                return None
            return page("query", nq.summary, {"name": name, **_query_config(nq)})
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> bool:
        path = scope.get("path", "")
        if path != "/sparql" and path != "/void" and not path.startswith("/api/queries/"):
            return False
        if scope.get("method") not in ("GET", "HEAD"):
            return False
        if not browser.wants_page(scope):  # headers only: cheap for every other client
            return False
        raw = scope.get("query_string") or b""
        params = dict(parse_qsl(raw.decode("latin-1"))) if raw else {}
        if params.get("format"):  # an explicit format is a request for that format
            return False
        response = self._page_for(path, params)
        if response is None:
            return False
        await response(scope, receive, send)
        return True


def _query_config(nq: Any) -> dict[str, Any]:
    return {"summary": nq.summary, "description": nq.description, "tags": nq.tags,
            "params": [{"name": p.name, "type": p.type, "required": p.required,
                        "default": p.default, "description": p.description} for p in nq.params]}


# --------------------------------------------------------------------------- routes


def install(app: FastAPI, state: ServerState) -> None:
    """Pages, static assets and offline API docs. Call before the other routes (``/``)."""
    app.mount(STATIC, StaticFiles(directory=WEB_DIST, check_dir=False), name="ui-static")

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> Response:
        """The workbench for browsers; the service's links as JSON for everyone else."""
        accept = request.headers.get("accept") or ""
        if "html" in accept and _html_over_json(accept):
            return page("workbench", "SPARQL workbench", workbench_config(state))
        return JSONResponse(index_links(request), headers={"Vary": "Accept"})

    @app.get("/ui/nation/{code}", include_in_schema=False)
    async def nation(code: str) -> Response:
        return page("nation", f"Nation {code[:64]}", {"code": code[:64]})

    @app.get("/ui/dyad/{a}/{b}", include_in_schema=False)
    async def dyad(a: str, b: str) -> Response:
        return page("dyad", f"{a[:64]} and {b[:64]}", {"a": a[:64], "b": b[:64]})

    @app.get("/ui/network", include_in_schema=False)
    async def network() -> Response:
        return page("network", "Alliance network")

    @app.get("/ui/map", include_in_schema=False)
    async def exercise_map() -> Response:
        return page("map", "Exercise map")

    @app.get("/ui/explain", include_in_schema=False)
    async def explain() -> Response:
        return page("explain", "Explanation")

    @app.get("/ui/query/{name}", include_in_schema=False)
    async def named(name: str) -> Response:
        nq = state.named.get(name)
        if nq is None:
            return page("query", "Unknown query", {"name": name[:80], "missing": True}, 404)
        return page("query", nq.summary, {"name": name, **_query_config(nq)})

    @app.get("/ui", include_in_schema=False)
    async def ui_root() -> Response:
        return RedirectResponse("/", 307)

    @app.get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response:
        icon = WEB_DIST / "favicon.svg"
        if not icon.is_file():
            return Response(status_code=404)
        return Response(icon.read_bytes(), media_type="image/svg+xml",
                        headers={"Cache-Control": "max-age=86400"})  # fmt: skip

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> Response:
        return page("swagger", "API (Swagger UI)", {"openapi": app.openapi_url})

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> Response:
        return page("redoc", "API reference (Redoc)", {"openapi": app.openapi_url})


def _html_over_json(accept: str) -> bool:
    from milgraph.server.formats import parse_accept

    ranges = parse_accept(accept)
    html_q = max((q for m, q, _ in ranges if m == "text/html"), default=0.0)
    return html_q > 0 and html_q >= browser._q_for("application/json", ranges)
