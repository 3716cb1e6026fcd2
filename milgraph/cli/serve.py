"""``milgraph serve``: options in, a running uvicorn out."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from milgraph.server.config import ServerConfig


def register(app: typer.Typer) -> None:
    app.command()(serve)


def serve(
    store: Annotated[
        Path | None,
        typer.Option(help="Snapshot directory to serve (its CURRENT snapshot). Default: the "
                     "bundled graph, built on first use."),
    ] = None,
    ontology: Annotated[
        Path | None, typer.Option(help="Ontology directory to (re)build from.")
    ] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option(help="Data file or directory to (re)build from; repeat for several."),
    ] = None,
    writable_store: Annotated[
        Path | None,
        typer.Option(help="Serve this plain Oxigraph store (created if missing) with SPARQL "
                     "Update at /update instead of a snapshot. Opt-in; edits there are not "
                     "part of the curated graph and are never reasoned over (validated edits "
                     "of the curated files: --allow-edits)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    query_timeout: Annotated[
        float, typer.Option(min=0.001, max=86400.0,
                            help="Deadline per query in seconds; the query is then stopped.")
    ] = 30.0,
    max_result_bytes: Annotated[
        int, typer.Option(min=0, help="Largest answer in bytes (0: no cap).")
    ] = 256 * 1024 * 1024,
    max_body_bytes: Annotated[
        int, typer.Option(min=1, help="Largest request body in bytes.")
    ] = 1048576,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="Origin allowed to call from a browser (repeat; '*' for any, "
                     "never with credentials). Default: CORS off."),
    ] = None,
    allow_service_host: Annotated[
        list[str] | None,
        typer.Option(help="Host (or host:port) that SERVICE may call; repeat. Default: none."),
    ] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(envvar="MILGRAPH_ADMIN_TOKEN",
                     help="Bearer token enabling /admin/reload and /admin/status."),
    ] = None,
    query_workers: Annotated[
        int, typer.Option(help="Query worker processes per server process (0: max(2, CPUs)).")
    ] = 0,
    workers: Annotated[int, typer.Option(help="HTTP server processes (uvicorn workers).")] = 1,
    cache_mb: Annotated[int, typer.Option(help="Answer cache size in MiB (0: off).")] = 64,
    max_query_depth: Annotated[
        int, typer.Option(min=1, help="Deepest query or update accepted (brackets count 5, "
                          "chained operators 1); deeper ones get 400.")
    ] = 1500,
    max_input_mb: Annotated[
        int, typer.Option(min=0, help="Largest total input of a rebuild in MiB (0: none).")
    ] = 256,
    build_memory_mb: Annotated[
        int, typer.Option(min=0, help="Memory bound of the rebuild process in MiB (0: none).")
    ] = 8192,
    worker_memory_mb: Annotated[
        int, typer.Option(min=0, help="Memory (data segment) bound of each query worker in "
                          "MiB (0: none).")
    ] = 0,
    watch: Annotated[
        bool, typer.Option(help="Rebuild and serve when a file under --ontology/--data is "
                           "saved (a broken save keeps the last good graph; see /health).")
    ] = False,
    allow_edits: Annotated[
        bool, typer.Option(help="Accept SPARQL Update at /update into the data files' graphs: "
                           "validated, written to the Turtle files, served. Needs "
                           "--admin-token.")
    ] = False,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = False,
    log_level: Annotated[str, typer.Option(help="Log level.")] = "info",
) -> None:
    """Serve the graph over SPARQL 1.1 (read-only), named queries, VoID, health and metrics;
    or, with --writable-store, a plain store that also accepts SPARQL Update."""
    import uvicorn

    from milgraph.server.config import CONFIG_ENV, ServerConfig, dump_config
    from milgraph.server.http import protocol_class

    if writable_store is not None and (store is not None or ontology is not None or data):
        raise typer.BadParameter(
            "--writable-store serves a plain store of its own: it cannot be combined with "
            "--store, --ontology or --data (run a second server for the snapshot)",
            param_hint="--writable-store",
        )
    _check_loop_options(watch, allow_edits, admin_token, writable_store, store, ontology, data)
    config = ServerConfig(
        watch=watch, allow_edits=allow_edits, writable_store=writable_store, store=store,
        ontology=ontology,
        data=list(data) if data else None, host=host, port=port,
        query_timeout=query_timeout, max_result_bytes=max_result_bytes,
        max_body_bytes=max_body_bytes, cors_origins=list(cor_list(cors_origin)),
        service_allow=list(allow_service_host or []), admin_token=admin_token,
        query_workers=query_workers, cache_bytes=cache_mb * 1024 * 1024,
        max_query_depth=max_query_depth, max_input_bytes=max_input_mb * 1024 * 1024,
        build_memory_mb=build_memory_mb, worker_memory_mb=worker_memory_mb,
    )  # fmt: skip
    if worker_memory_mb:  # read by every query worker this process starts
        os.environ["MILGRAPH_WORKER_MEMORY_MB"] = str(worker_memory_mb)
    if workers <= 1 and not config.builds and not config.writable:
        _prestart_workers(config)
    os.environ[CONFIG_ENV] = dump_config(config)
    typer.echo(f"milgraph: serving on http://{host}:{port}/sparql (docs: /docs)", err=True)
    uvicorn.run(
        "milgraph.server.app:app_from_env", factory=True, host=host, port=port,
        workers=workers if workers > 1 else None, loop="auto", http=protocol_class(),
        access_log=access_log, log_level=log_level, timeout_graceful_shutdown=5,
        server_header=False,
    )  # fmt: skip


def _check_loop_options(
    watch: bool, allow_edits: bool, admin_token: str | None, writable_store: Path | None,
    store: Path | None, ontology: Path | None, data: list[Path] | None,
) -> None:  # fmt: skip
    """--watch and --allow-edits work on the files a snapshot is built from."""
    builds = store is None or ontology is not None or bool(data)
    for flag, on in (("--watch", watch), ("--allow-edits", allow_edits)):
        if on and writable_store is not None:
            raise typer.BadParameter(
                f"{flag} works on the curated files, not on a --writable-store (curated edits "
                "over HTTP are --allow-edits; see docs/http.md)", param_hint=flag)
        if on and not builds:
            raise typer.BadParameter(
                f"{flag} needs the inputs the snapshot is built from: add --data (and "
                "--ontology), or leave out --store to use the bundled files", param_hint=flag)
    if allow_edits and not admin_token:
        raise typer.BadParameter(
            "--allow-edits changes the curated files: it needs --admin-token (or "
            "MILGRAPH_ADMIN_TOKEN), which every /update must send as 'Authorization: Bearer "
            "<token>'", param_hint="--allow-edits")


def _prestart_workers(config: ServerConfig) -> None:
    """Open the served snapshot in the query workers while this process imports the web
    stack (see ``pool.prestart``): ready to answer sooner."""
    from milgraph.server.pool import default_pool_size, prestart
    from milgraph.store import current_key

    root = config.snapshot_root
    key = current_key(root)
    if key is not None:
        prestart(str(root), key, config.query_workers or default_pool_size())


def cor_list(values: list[str] | None) -> list[str]:
    return [v.strip().rstrip("/") for v in values or [] if v.strip()]
