"""``milgraph serve``: options in, a running uvicorn out."""

from __future__ import annotations

import errno
import logging
import os
import socket
import threading
import time
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from milgraph.server.config import ServerConfig


def register(app: typer.Typer) -> None:
    app.command()(serve)


#: ``serve --help`` groups its options in these panels.
SNAPSHOT, NETWORK, LIMITS = "Snapshot", "Network and access", "Limits"
PROCESSES, LOGGING = "Processes and cache", "Logging"
REMOTE = "Remote store"


def _deadline(value: float) -> float:
    """A finite deadline in range (a range shown in --help would widen the whole panel)."""
    if not 0.001 <= value <= 86400.0:  # also refuses nan
        raise typer.BadParameter(f"{value} is not a deadline from 0.001 to 86400 seconds")
    return value


def serve(
    store: Annotated[
        Path | None,
        typer.Option(help="Snapshot directory to serve (its CURRENT snapshot). Default: the "
                     "bundled graph, built on first use.", rich_help_panel=SNAPSHOT),
    ] = None,
    ontology: Annotated[
        Path | None, typer.Option(help="Ontology directory to (re)build from.",
                                  rich_help_panel=SNAPSHOT)
    ] = None,
    data: Annotated[
        list[Path] | None,
        typer.Option(help="Data file or directory to (re)build from; repeat for several.",
                     rich_help_panel=SNAPSHOT),
    ] = None,
    writable_store: Annotated[
        Path | None,
        typer.Option(help="A plain store (created if missing) with SPARQL Update at /update, "
                     "never validated or reasoned; curated edits: --allow-edits.",
                     rich_help_panel=SNAPSHOT),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.",
                                      rich_help_panel=NETWORK)] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", rich_help_panel=NETWORK)] = 8000,
    query_timeout: Annotated[
        float, typer.Option(callback=_deadline, metavar="SECONDS",
                            help="Deadline per query (0.001 to 86400 s); the query is then "
                            "stopped.", rich_help_panel=LIMITS)
    ] = 30.0,
    max_result_bytes: Annotated[
        int, typer.Option(min=0, help="Largest answer in bytes (0: no cap).",
                          rich_help_panel=LIMITS)
    ] = 256 * 1024 * 1024,
    max_body_bytes: Annotated[
        int, typer.Option(min=1, help="Largest request body in bytes.", rich_help_panel=LIMITS)
    ] = 1048576,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option(help="Origin allowed to call from a browser (repeat; '*' for any, "
                     "never with credentials). Default: CORS off.", rich_help_panel=NETWORK),
    ] = None,
    allow_service_host: Annotated[
        list[str] | None,
        typer.Option(help="Host (or host:port) that SERVICE may call; repeat. Default: none.",
                     rich_help_panel=NETWORK),
    ] = None,
    admin_token: Annotated[
        str | None,
        typer.Option(envvar="MILGRAPH_ADMIN_TOKEN", show_envvar=False,
                     help="Bearer token enabling /admin/reload and /admin/status (or "
                     "MILGRAPH_ADMIN_TOKEN in the environment).",
                     rich_help_panel=NETWORK),
    ] = None,
    query_workers: Annotated[
        int, typer.Option(help="Query worker processes per server process (0: max(2, CPUs)).",
                          rich_help_panel=PROCESSES)
    ] = 0,
    workers: Annotated[int, typer.Option(help="HTTP server processes (uvicorn workers).",
                                         rich_help_panel=PROCESSES)] = 1,
    cache_mb: Annotated[int, typer.Option(help="Answer cache size in MiB (0: off).",
                                          rich_help_panel=PROCESSES)] = 64,
    max_query_depth: Annotated[
        int, typer.Option(min=1, help="Deepest query or update accepted (a bracket "
                          "counts 5, an operator 1).", rich_help_panel=LIMITS)
    ] = 1500,
    max_input_mb: Annotated[
        int, typer.Option(min=0, help="Largest total input of a rebuild in MiB (0: none).",
                          rich_help_panel=LIMITS)
    ] = 256,
    build_memory_mb: Annotated[
        int, typer.Option(min=0, help="Memory bound of the rebuild process in MiB (0: none).",
                          rich_help_panel=LIMITS)
    ] = 8192,
    worker_memory_mb: Annotated[
        int, typer.Option(min=0, help="Memory (data segment) bound of each query worker in "
                          "MiB (0: none).", rich_help_panel=LIMITS)
    ] = 0,
    backend: Annotated[
        str | None,
        typer.Option(help="Query URL of a SPARQL 1.1 store holding the published snapshot "
                     "(milgraph publish).", rich_help_panel=REMOTE),
    ] = None,
    backend_user: Annotated[str | None, typer.Option(help="User for --backend.",
                                                               rich_help_panel=REMOTE)] = None,
    backend_password: Annotated[
        str | None, typer.Option(envvar="MILGRAPH_BACKEND_PASSWORD",
                                 help="Password for --backend.",
                                 rich_help_panel=REMOTE)
    ] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Rebuild and serve on each save under "
                           "--ontology/--data (a broken save: see /health).",
                           rich_help_panel=SNAPSHOT)
    ] = False,
    allow_edits: Annotated[
        bool, typer.Option("--allow-edits", help="Validated SPARQL Update at /update, "
                           "written to the Turtle files (needs --admin-token).",
                           rich_help_panel=SNAPSHOT)
    ] = False,
    access_log: Annotated[bool, typer.Option("--access-log", help="Log every request.",
                                             rich_help_panel=LOGGING)] = False,
    log_level: Annotated[str, typer.Option(help="Log level.", rich_help_panel=LOGGING)] = "info",
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
    if backend is not None and writable_store is not None:
        raise typer.BadParameter("--backend serves a published snapshot: it cannot be combined "
                                 "with --writable-store", param_hint="--backend")  # fmt: skip
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
        backend=backend, backend_user=backend_user, backend_password=backend_password,
    )  # fmt: skip
    if worker_memory_mb:  # read by every query worker this process starts
        os.environ["MILGRAPH_WORKER_MEMORY_MB"] = str(worker_memory_mb)
    check_port(host, port)
    if config.builds:
        build_first(config)
    if workers <= 1 and not config.builds and not config.writable and not backend:
        _prestart_workers(config)
    os.environ[CONFIG_ENV] = dump_config(config)
    announce_when_ready(host, port)
    uvicorn.run(
        "milgraph.server.app:app_from_env", factory=True, host=host, port=port,
        workers=workers if workers > 1 else None, loop="auto", http=protocol_class(),
        access_log=access_log, log_level=log_level, timeout_graceful_shutdown=5,
        server_header=False,
    )  # fmt: skip


def check_port(host: str, port: int) -> None:
    """Refuse a port that cannot be listened on now, before any build: say which and why."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                why = (f"port {port} on {host} is already in use (another milgraph serve?); "
                       f"stop it, or choose another port: --port {port + 1}, or "
                       f"'make serve PORT={port + 1}'")  # fmt: skip
            else:
                why = f"cannot listen on {host}:{port}: {exc.strerror or exc}"
            typer.echo(f"milgraph: {why}", err=True)
            raise typer.Exit(1) from None


def build_first(config: ServerConfig) -> None:
    """Build (or find) the snapshot in the foreground, its steps shown, before the service
    starts: the first build of the bundled data takes minutes, and a newcomer sees why. A
    failed build leaves the last good snapshot to serve, if there is one."""
    from milgraph.build import build_snapshot
    from milgraph.cli.common import RebuildNotice, fail
    from milgraph.errors import MilgraphError
    from milgraph.store import current_key

    started = time.monotonic()
    notice = RebuildNotice()
    try:
        build_snapshot(config.ontology, config.data, config.store, on_step=notice,
                       max_input_bytes=config.max_input_bytes)  # fmt: skip
    except MilgraphError as exc:
        if current_key(config.snapshot_root) is None and not config.watch:
            raise fail(exc) from None
        fail(exc)
        if current_key(config.snapshot_root) is not None:
            typer.echo("milgraph: the build failed; serving the last good snapshot", err=True)
        if config.watch:  # /health names the failing file until a good save
            typer.echo("milgraph: watching the inputs for a good save", err=True)
        return
    if notice.announced:
        typer.echo(f"milgraph: snapshot built in {time.monotonic() - started:.0f} s", err=True)


def announce_when_ready(host: str, port: int) -> None:
    """Print the URL once ``/health`` answers 200 (workers up, snapshot loaded), not before."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{shown}:{port}" if ":" not in shown else f"http://[{shown}]:{port}"
    typer.echo(f"milgraph: starting on {host}:{port}: opening the snapshot…", err=True)
    logging.getLogger("uvicorn.error").addFilter(  # its URL comes before the service answers
        lambda record: not str(record.msg).startswith("Uvicorn running on"))

    def wait() -> None:
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=5) as reply:
                    if reply.status == 200:
                        break
            except OSError:  # not listening yet, or 503 while loading
                pass
            time.sleep(0.25)
        typer.echo(f"milgraph: ready on {url}/ (workbench), {url}/sparql, API docs {url}/docs",
                   err=True)  # fmt: skip

    threading.Thread(target=wait, name="milgraph-ready", daemon=True).start()


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
