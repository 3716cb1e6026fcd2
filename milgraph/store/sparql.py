"""A SPARQL 1.1 protocol client for a remote triple store, and ``publish`` to fill one.

The embedded Oxigraph store answers in-process; a deployment that must sit on the
organisation's own store (or outgrows one machine) reaches it over the protocol instead. This
module is that client: queries stream back through pyoxigraph's parsers, graphs go up through
the Graph Store Protocol (or SPARQL Update where there is none), and every way a remote store
can hand back less than the whole answer without saying so is turned into an error.

Tested against Virtuoso Open Source 7.2 (Debian ``virtuoso-opensource``); its quirks and how
each is handled (``docs/remote-store.md`` has the evidence):

* Its default graph is the union of *every* graph, system graphs included, and ``GRAPH ?g``
  ranges over all of them even when the query has ``FROM``: queries here always name their
  dataset with the protocol's ``default-graph-uri`` / ``named-graph-uri`` (:class:`Dataset`).
* ``ResultSetMaxRows`` cuts results silently: a SELECT carries ``X-SPARQL-MaxRows: N``, a
  CONSTRUCT carries nothing and holds N+1 triples. Both raise :class:`RemoteTruncated`; the cap
  is learnt from the header or a probe, and :meth:`SparqlClient.select_all` pages instead.
* Its ``timeout`` parameter (ms) returns *partial* results with HTTP 200 and
  ``X-SQL-State: S1TAT``: that raises :class:`RemoteDeadlineExceeded`, never a short answer.
  Closing the connection does not stop a Virtuoso query; the remote timeout does, so it is
  always sent, with a client-side backstop a little later.
* ``POST`` with ``Content-Type: application/sparql-query`` hangs: queries are form-encoded.
* Blank nodes come back as ``nodeID://b123`` in JSON results, which no parser accepts, and
  stored booleans as ``"1"``: the stream is rewritten (``b123``, ``"true"``) on the way in.
* SPARQL Update ``INSERT DATA`` refuses blank nodes: they go in an ``INSERT … WHERE {}``.
* Numeric and boolean literals are stored in canonical form (``"042"^^xsd:integer`` comes
  back as ``"42"``): :func:`differences` lists such changes after a round trip.

Dependencies: httpx (streaming, timeouts, digest auth; the field's HTTP client) and pyoxigraph
(the result and RDF parsers the embedded store already uses).
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import io
import itertools
import re
import threading
import time
import uuid
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from milgraph import sparql
from milgraph.errors import MilgraphError

__all__ = [
    "GENERIC",
    "VIRTUOSO",
    "Dataset",
    "Dialect",
    "Difference",
    "Publication",
    "PublishFailed",
    "PublishReport",
    "RemoteAuthFailed",
    "RemoteCancelled",
    "RemoteDeadlineExceeded",
    "RemoteQueryFailed",
    "RemoteStoreError",
    "RemoteTruncated",
    "RemoteUnreachable",
    "Solutions",
    "SparqlClient",
    "SparqlStore",
    "Streams",
    "Triples",
    "differences",
    "publish",
    "publish_snapshot",
    "read_publication",
    "streams",
]

JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
VIRTRDF = "http://www.openlinksw.com/schemas/virtrdf#"


# --------------------------------------------------------------------------- errors


class RemoteStoreError(MilgraphError):
    """The remote store could not give a complete answer; ``endpoint`` says which one.

    Each kind is also the built-in error the store contract names (``milgraph.store.base``):
    unreachable is a ``ConnectionError`` (an ``OSError``), a deadline a ``TimeoutError``,
    refused credentials a ``PermissionError``, a truncated or failed answer a
    ``RuntimeError``; so callers of any GraphStore handle them without knowing this module."""

    def __init__(self, message: str, endpoint: str) -> None:
        self.endpoint = endpoint
        super().__init__(message)


class RemoteUnreachable(RemoteStoreError, ConnectionError):
    """No connection to the remote store (refused, DNS, TLS)."""


class RemoteAuthFailed(RemoteStoreError, PermissionError):
    """The store refused the credentials (401) or the user's rights (403)."""


class RemoteQueryFailed(RemoteStoreError, RuntimeError):
    """The store rejected or failed the request; ``status`` and the store's own message."""

    def __init__(self, message: str, endpoint: str, status: int | None = None) -> None:
        self.status = status
        super().__init__(message, endpoint)


class RemoteDeadlineExceeded(RemoteStoreError, TimeoutError):
    """The deadline passed; ``by`` is ``"remote"`` (the store's own timeout stopped it and
    what it had was partial) or ``"client"`` (the backstop closed the connection)."""

    def __init__(self, message: str, endpoint: str, *, by: str, seconds: float) -> None:
        self.by = by
        self.seconds = seconds
        super().__init__(message, endpoint)


class RemoteTruncated(RemoteStoreError, RuntimeError):
    """The store cut the result at its row cap and (maybe) said nothing."""

    def __init__(self, endpoint: str, rows: int) -> None:
        self.rows = rows
        super().__init__(
            f"the answer was truncated by the remote store at {rows} rows ({endpoint}); "
            "it is incomplete. Fix: narrow the query, page it with ORDER BY and LIMIT/OFFSET "
            "(SparqlClient.select_all), or raise the store's cap (Virtuoso: ResultSetMaxRows "
            "in the [SPARQL] section of virtuoso.ini)",
            endpoint,
        )


class RemoteCancelled(RemoteStoreError, RuntimeError):
    """Whoever waited for the answer gave up on it; its connection was closed."""


class PublishFailed(RemoteStoreError):
    """A graph could not be loaded, or the store holds other counts than were sent."""


# --------------------------------------------------------------------------- options


@dataclass(frozen=True)
class Dataset:
    """The protocol dataset of one request: ``default-graph-uri`` and ``named-graph-uri``.

    Sending both, always, is what makes a remote store's answers match the embedded one's:
    Virtuoso's default graph is otherwise the union of everything it holds."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    def params(self) -> list[tuple[str, str]]:
        return [("default-graph-uri", g) for g in self.default] + [
            ("named-graph-uri", g) for g in self.named
        ]


@dataclass(frozen=True)
class Dialect:
    """What a store needs beyond the standard protocol; only ``virtuoso`` is tested."""

    name: str
    #: Request parameter that bounds execution on the server, and its unit per second.
    timeout_param: str | None = None
    timeout_per_second: float = 1000.0
    #: Smallest timeout the store honours (Virtuoso ignores less than 1000 ms).
    timeout_minimum: float = 0.0
    #: Response headers that mean "what follows is partial".
    partial_headers: tuple[str, ...] = ()
    #: Response header naming the row cap the result was cut at.
    max_rows_header: str | None = None
    #: Prefix the store puts before blank-node labels in JSON results.
    bnode_prefix: bytes | None = None
    #: Whether the row cap can be learnt with a probe query over the store's own system graph.
    probe_cap: bool = False


VIRTUOSO = Dialect(
    "virtuoso", timeout_param="timeout", timeout_per_second=1000.0, timeout_minimum=1.0,
    partial_headers=("x-sql-state",), max_rows_header="x-sparql-maxrows",
    bnode_prefix=b"nodeID://", probe_cap=True,
)  # fmt: skip
GENERIC = Dialect("generic")
DIALECTS = {d.name: d for d in (VIRTUOSO, GENERIC)}


# --------------------------------------------------------------------------- auth


class ChallengeAuth(httpx.Auth):
    """Answer whichever challenge the store sends: Digest (Virtuoso) or Basic (most others).

    Nothing is sent before the store asks, so an anonymous endpoint never sees the password;
    once a scheme is known, later requests carry it up front (digest nonces are reused)."""

    requires_request_body = True

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._scheme: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        flow = self._digest.auth_flow(request)
        response = yield next(flow)
        while True:
            try:
                retry = flow.send(response)
            except StopIteration:
                break
            self._scheme = "digest"
            response = yield retry
        challenges = [h.lower() for h in response.headers.get_list("www-authenticate")]
        if response.status_code == 401 and any(c.startswith("basic") for c in challenges):
            self._scheme = "basic"
            yield from self._basic.auth_flow(request)


# --------------------------------------------------------------------------- streaming


class _Body(io.RawIOBase):
    """A response body as a file for pyoxigraph's parsers: checks the client-side deadline on
    every chunk and rewrites blank-node labels the parsers would reject."""

    def __init__(self, chunks: Iterator[bytes], check: Callable[[], None],
                 bnode_prefix: bytes | None) -> None:  # fmt: skip
        self._chunks = chunks
        self._check = check
        self._buffer = b""
        self._carry = b""
        self._done = False
        self._fix = _virtuoso_json_fix(bnode_prefix) if bnode_prefix else None

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        while not self._buffer and not self._done:
            self._fill()
        n = min(len(b), len(self._buffer))
        b[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n

    def _fill(self) -> None:
        self._check()
        try:
            chunk = next(self._chunks)
        except StopIteration:
            self._done = True
            self._buffer, self._carry = self._rewrite(self._carry), b""
            return
        if self._fix is None:
            self._buffer = chunk
            return
        # A binding never spans a line in Virtuoso's JSON: rewrite whole lines only.
        data = self._carry + chunk
        cut = data.rfind(b"\n") + 1
        if cut == 0 and len(data) < (1 << 20):
            self._carry = data
            return
        cut = cut or len(data)
        self._buffer, self._carry = self._rewrite(data[:cut]), data[cut:]

    def _rewrite(self, data: bytes) -> bytes:
        return self._fix(data) if self._fix is not None and data else data


def _virtuoso_json_fix(bnode_prefix: bytes) -> Callable[[bytes], bytes]:
    """Virtuoso's JSON results label blank nodes ``nodeID://b1`` (no parser accepts it) and
    write stored xsd:boolean values as ``"1"``/``"0"`` (its N-Triples say ``true``/``false``,
    as the embedded store does). A literal's own text cannot match: its quotes are escaped."""
    bnode = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")' + re.escape(bnode_prefix))
    boolean = re.compile(
        rb'("datatype"\s*:\s*"http://www\.w3\.org/2001/XMLSchema#boolean"\s*,\s*"value"\s*:\s*")'
        rb'([01])"'
    )

    def word(m: re.Match[bytes]) -> bytes:
        return m.group(1) + (b'true"' if m.group(2) == b"1" else b'false"')

    def fix(data: bytes) -> bytes:
        return boolean.sub(word, bnode.sub(rb"\1", data))

    return fix


class _Answer:
    """An open streamed response; closing it closes the connection (cancellation)."""

    def __init__(self, response: httpx.Response) -> None:
        self.response = response

    def close(self) -> None:
        self.response.close()

    def __enter__(self) -> Any:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Solutions(_Answer):
    """SELECT solutions, streamed. Iteration raises :class:`RemoteTruncated` on reaching the
    store's row cap: a result of exactly the cap rows is never passed as complete."""

    def __init__(self, response: httpx.Response, parsed: Any, *,
                 cap: int | None, endpoint: str) -> None:  # fmt: skip
        super().__init__(response)
        self._parsed = parsed
        self._cap = cap
        self._endpoint = endpoint
        self.variables: list[ox.Variable] = list(parsed.variables)

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        rows = 0
        try:
            for solution in self._parsed:
                rows += 1
                if self._cap is not None and rows >= self._cap:
                    raise RemoteTruncated(self._endpoint, self._cap)
                yield solution
        finally:
            self.close()


class Triples(_Answer):
    """CONSTRUCT/DESCRIBE triples, streamed; ``check`` runs at the end (truncation)."""

    def __init__(self, response: httpx.Response, parsed: Iterator[Any], *,
                 check: Callable[[int], None]) -> None:  # fmt: skip
        super().__init__(response)
        self._parsed = parsed
        self._check = check

    def __iter__(self) -> Iterator[ox.Triple]:
        count = 0
        try:
            for quad in self._parsed:
                count += 1
                yield quad.triple
        finally:
            self.close()
        self._check(count)


# --------------------------------------------------------------------------- the client

_PROLOGUE = re.compile(
    r"""(?:\s+|\#[^\n]*(?:\n|$)|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)""", re.I | re.X
)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.I)


def query_form(text: str) -> str:
    """``SELECT``, ``ASK``, ``CONSTRUCT`` or ``DESCRIBE``: the first keyword after the prologue."""
    return _form_at(text)[1]


def _form_at(text: str) -> tuple[int, str]:
    """Where the query form's keyword starts, and the form."""
    pos = 0
    while m := _PROLOGUE.match(text, pos):
        if m.end() == pos:
            break
        pos = m.end()
    m = _FORM.match(text, pos)
    if not m:
        raise RemoteQueryFailed(
            "not a SPARQL query: expected SELECT, ASK, CONSTRUCT or DESCRIBE after the "
            "PREFIX/BASE lines (updates go through SparqlClient.update)", "(not sent)"
        )
    return pos, m.group(1).upper()


def _safe_url(url: str) -> str:
    """The URL without any user:password part, for messages."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _store_message(response: httpx.Response) -> str:
    """The store's own error text, without the echo of the query Virtuoso appends."""
    try:
        text = response.read().decode("utf-8", "replace")
    except httpx.HTTPError:
        return ""
    text = re.sub(r"<[^>]+>", " ", text) if "<html" in text[:200].lower() else text
    text = text.split("SPARQL query:")[0]
    return " ".join(text.split())[:400]


class SparqlClient:
    """A SPARQL 1.1 protocol client for one store (thread-safe like an ``httpx.Client``).

    ``timeout`` is the default deadline of a query, in seconds: sent to the store in its own
    parameter (Virtuoso ``timeout``, ms) and enforced here ``grace`` seconds later by closing
    the connection. ``max_rows``: the store's row cap when known; otherwise learnt from
    ``X-SPARQL-MaxRows`` or, for CONSTRUCT on Virtuoso, by a probe. ``dataset``: the default
    :class:`Dataset` of every query (publish's graphs, so answers match the embedded store).
    """

    def __init__(
        self,
        query_url: str,
        *,
        update_url: str | None = None,
        graph_store_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        dialect: str | Dialect = "auto",
        timeout: float = 30.0,
        grace: float = 5.0,
        remote_timeout: bool = True,
        max_rows: int | None = None,
        dataset: Dataset | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_store_url = graph_store_url
        self.user = user
        self.timeout = timeout
        self.grace = grace
        self.remote_timeout = remote_timeout
        self.max_rows = max_rows
        self.dataset = dataset
        self._no_cap_below = 0  # a probe proved no cap up to this many rows
        self._dialect = DIALECTS[dialect] if isinstance(dialect, str) and dialect != "auto" else (
            dialect if isinstance(dialect, Dialect) else None
        )  # fmt: skip
        auth = ChallengeAuth(user, password or "") if user else None
        self._http = httpx.Client(auth=auth, transport=transport, timeout=httpx.Timeout(60.0),
                                  headers={"User-Agent": "milgraph"})  # fmt: skip

    def __repr__(self) -> str:
        return f"SparqlClient({_safe_url(self.query_url)!r}, user={self.user!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SparqlClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- dialect

    @property
    def dialect(self) -> Dialect:
        """Known, or learnt once from the ``Server`` header of a trivial ASK."""
        if self._dialect is None:
            with self._open("POST", self.query_url, data=[("query", "ASK {}")],
                            accept=JSON_RESULTS, deadline=10.0) as answer:  # fmt: skip
                server = answer.response.headers.get("server", "")
            self._dialect = VIRTUOSO if server.startswith("Virtuoso/") else GENERIC
        return self._dialect

    # ---------------------------------------------------------------- HTTP

    def _open(self, method: str, url: str, *, data: Any = None, params: Any = None,
              content: bytes | None = None, content_type: str | None = None,
              accept: str | None = None, deadline: float, grace: float = 0.0,
              ) -> _Answer:  # fmt: skip
        """Send one request and return once its headers are in (the body still streaming).
        ``deadline`` is what the store was asked for; the backstop waits ``grace`` longer."""
        headers = {}
        if accept:
            headers["Accept"] = accept
        if data is not None:  # form-encoded: Virtuoso hangs on application/sparql-query
            content = urlencode(data).encode()
            content_type = "application/x-www-form-urlencoded"
        if content_type:
            headers["Content-Type"] = content_type
        request = self._http.build_request(
            method, url, params=params, content=content, headers=headers,
            timeout=httpx.Timeout(deadline + grace, connect=min(deadline + grace, 10.0)),
        )  # fmt: skip
        scope = _scope.get()
        if scope is not None and scope.cancelled:
            raise RemoteCancelled("the request was cancelled before it was sent", _safe_url(url))
        try:
            response = self._http.send(request, stream=True)
            if scope is not None:
                scope.add(response)
        except httpx.TimeoutException as e:
            raise self._backstop(url, deadline + grace) from e
        except httpx.TransportError as e:
            raise RemoteUnreachable(
                f"cannot reach the remote store at {_safe_url(url)}: {e.__class__.__name__}: {e}",
                _safe_url(url),
            ) from e
        try:
            self._raise_for_status(response, url, deadline)
        except BaseException:
            response.close()
            raise
        return _Answer(response)

    def _backstop(self, url: str, seconds: float) -> RemoteDeadlineExceeded:
        return RemoteDeadlineExceeded(
            f"the remote store at {_safe_url(url)} did not answer within {seconds:g} s; the "
            "connection was closed (the store may still be working until its own timeout)",
            _safe_url(url), by="client", seconds=seconds,
        )  # fmt: skip

    def _raise_for_status(self, response: httpx.Response, url: str, deadline: float) -> None:
        status = response.status_code
        where = _safe_url(url)
        if status in (401, 403):
            who = f"user {self.user!r}" if self.user else "an anonymous request (no --user given)"
            what = "refused the credentials of" if status == 401 else "denied the request of"
            raise RemoteAuthFailed(
                f"the remote store at {where} {what} {who} (HTTP {status}). Fix: check the user "
                "name and password; publishing needs a user allowed to update (Virtuoso: the "
                "SPARQL_UPDATE role, on /sparql-auth and /sparql-graph-crud-auth)",
                where,
            )
        if status < 400:
            dialect = self._dialect
            for name in dialect.partial_headers if dialect else ():
                if name in response.headers:
                    raise RemoteDeadlineExceeded(
                        f"the remote store at {where} stopped the query at its timeout "
                        f"({deadline:g} s) and returned a partial answer, which is refused "
                        f"({name}: {response.headers[name]}). Fix: narrow the query or allow "
                        "it more time",
                        where, by="remote", seconds=deadline,
                    )  # fmt: skip
            if status == 206:
                raise RemoteDeadlineExceeded(
                    f"the remote store at {where} returned a partial answer (HTTP 206)",
                    where, by="remote", seconds=deadline,
                )  # fmt: skip
            return
        message = _store_message(response)
        if "S1TAT" in message or "timed out" in message.lower():
            raise RemoteDeadlineExceeded(
                f"the remote store at {where} stopped the query at its timeout: {message}",
                where, by="remote", seconds=deadline,
            )  # fmt: skip
        if "SR186" in message or "No permission" in message:
            who = f"user {self.user!r}" if self.user else "an anonymous request"
            raise RemoteAuthFailed(
                f"the remote store at {where} does not let {who} do this (HTTP {status}): "
                f"{message}. Fix: update through an authenticated endpoint (Virtuoso: "
                "/sparql-auth) as a user with the SPARQL_UPDATE role",
                where,
            )
        if status == 404:
            raise RemoteQueryFailed(f"no SPARQL endpoint at {where} (HTTP 404)", where, status)
        if "estimated execution time" in message:
            raise RemoteQueryFailed(
                f"the remote store at {where} refused the query as too expensive: {message}",
                where, status,
            )  # fmt: skip
        kind = "rejected the request" if status < 500 else "failed"
        raise RemoteQueryFailed(
            f"the remote store at {where} {kind} (HTTP {status}): {message or 'no message'}",
            where, status,
        )  # fmt: skip

    def _checker(self, response: httpx.Response, url: str, deadline: float) -> Callable[[], None]:
        limit = time.monotonic() + deadline

        def check() -> None:
            if time.monotonic() > limit:
                response.close()
                raise self._backstop(url, deadline)

        return check

    def _chunks(self, response: httpx.Response, url: str, deadline: float) -> Iterator[bytes]:
        try:
            yield from response.iter_bytes()
        except httpx.TimeoutException as e:
            raise self._backstop(url, deadline) from e
        except httpx.TransportError as e:
            raise RemoteUnreachable(
                f"the connection to {_safe_url(url)} broke mid-answer: {e}", _safe_url(url)
            ) from e

    # ---------------------------------------------------------------- queries

    def query(
        self,
        text: str,
        *,
        dataset: Dataset | None = None,
        bindings: Mapping[str, ox.NamedNode | ox.Literal] | None = None,
        timeout: float | None = None,
    ) -> Solutions | bool | Triples:
        """Run a query; SELECT gives :class:`Solutions`, ASK a bool, CONSTRUCT/DESCRIBE
        :class:`Triples`. Close (or exhaust) a streamed answer to free its connection."""
        form = query_form(text)
        text = sparql.bind(text, bindings or {}, inline=True)
        scope = _scope.get()
        if timeout is None and scope is not None and scope.timeout is not None:
            timeout = scope.timeout
        deadline = self.timeout if timeout is None else timeout
        dialect = self.dialect
        data: list[tuple[str, str]] = [("query", text)]
        data += (dataset or self.dataset or Dataset()).params()
        if dialect.timeout_param and self.remote_timeout:
            remote = max(deadline, dialect.timeout_minimum) * dialect.timeout_per_second
            data.append((dialect.timeout_param, str(int(remote))))
        accept = N_TRIPLES if form in ("CONSTRUCT", "DESCRIBE") else JSON_RESULTS
        url = self.query_url
        response = self._open("POST", url, data=data, accept=accept, deadline=deadline,
                              grace=self.grace).response  # fmt: skip
        try:
            cap = self._header_cap(response)
            if cap is not None and form == "SELECT":
                raise RemoteTruncated(_safe_url(url), cap)
            body = _Body(self._chunks(response, url, deadline + self.grace),
                         self._checker(response, url, deadline + self.grace),
                         dialect.bnode_prefix)  # fmt: skip
            reader = io.BufferedReader(body, 1 << 16)
            if form in ("CONSTRUCT", "DESCRIBE"):
                parsed = ox.parse(reader, ox.RdfFormat.N_TRIPLES)
                return Triples(response, parsed, check=self._construct_check(url, cap))
            result = ox.parse_query_results(reader, ox.QueryResultsFormat.JSON)
            if isinstance(result, ox.QueryBoolean):
                response.close()
                return bool(result)
            return Solutions(response, result, cap=self.max_rows, endpoint=_safe_url(url))
        except SyntaxError as e:
            response.close()
            raise RemoteQueryFailed(
                f"the remote store at {_safe_url(url)} sent an answer that does not parse: {e}",
                _safe_url(url),
            ) from e
        except BaseException:
            response.close()
            raise

    def _header_cap(self, response: httpx.Response) -> int | None:
        name = self.dialect.max_rows_header
        value = response.headers.get(name) if name else None
        if value and value.strip().isdigit():
            self.max_rows = int(value)
            return self.max_rows
        return None

    def _construct_check(self, url: str, header_cap: int | None) -> Callable[[int], None]:
        """Virtuoso cuts CONSTRUCT at cap+1 triples and sends no header: compare with the cap."""

        def check(count: int) -> None:
            cap = header_cap or self.max_rows
            if cap is None and count and self.dialect.probe_cap and count >= self._no_cap_below:
                cap = self.probe_cap(at_least=max(count, 10000))
            if cap is not None and count >= cap:
                raise RemoteTruncated(_safe_url(url), cap)

        return check

    def probe_cap(self, at_least: int = 10000) -> int | None:
        """Learn Virtuoso's ``ResultSetMaxRows`` from a SELECT over its own system graph that
        has more than ``at_least`` rows; None when there is no cap up to that many rows."""
        if self.max_rows is not None:
            return self.max_rows
        text = (f"SELECT ?a FROM <{VIRTRDF}> WHERE {{ ?a ?p ?o . ?b ?q ?r }} "
                f"LIMIT {at_least + 1}")  # fmt: skip
        data = [("query", text), ("timeout", "30000")]
        with self._open("POST", self.query_url, data=data, accept=JSON_RESULTS,
                        deadline=60.0) as answer:  # fmt: skip
            found = self._header_cap(answer.response)
        if found is None:
            self._no_cap_below = at_least + 1
        return found

    def select(self, text: str, **kw: Any) -> list[ox.QuerySolution]:
        """A SELECT's solutions as a list (the whole answer, or an error)."""
        answer = self.query(text, **kw)
        if not isinstance(answer, Solutions):
            raise RemoteQueryFailed("select() needs a SELECT query", _safe_url(self.query_url))
        return list(answer)

    def ask(self, text: str, **kw: Any) -> bool:
        answer = self.query(text, **kw)
        if not isinstance(answer, bool):
            raise RemoteQueryFailed("ask() needs an ASK query", _safe_url(self.query_url))
        return answer

    def construct(self, text: str, **kw: Any) -> list[ox.Triple]:
        answer = self.query(text, **kw)
        if not isinstance(answer, Triples):
            raise RemoteQueryFailed("construct() needs a CONSTRUCT or DESCRIBE query",
                                    _safe_url(self.query_url))  # fmt: skip
        return list(answer)

    def select_all(
        self, text: str, *, page: int | None = None, **kw: Any
    ) -> list[ox.QuerySolution]:
        """Every solution of a SELECT with a stable ORDER BY, in pages below the row cap."""
        if not re.search(r"\bORDER\s+BY\b", text, re.I):
            raise RemoteQueryFailed(
                "select_all() pages with LIMIT/OFFSET and needs an ORDER BY that fixes the "
                "order (otherwise pages may overlap or miss rows)", _safe_url(self.query_url)
            )  # fmt: skip
        if re.search(r"\b(LIMIT|OFFSET)\s+\d+\s*$", text, re.I):
            raise RemoteQueryFailed("select_all() adds its own LIMIT/OFFSET",
                                    _safe_url(self.query_url))  # fmt: skip
        size = page or max(1, min(self.max_rows or 10000, 10000) - 1)
        out: list[ox.QuerySolution] = []
        offset = 0
        while True:
            rows = self.select(f"{text}\nLIMIT {size} OFFSET {offset}", **kw)
            out.extend(rows)
            if len(rows) < size:
                return out
            offset += size

    def count(self, graph: str, **kw: Any) -> int:
        """Triples in one named graph."""
        rows = self.select(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
            dataset=Dataset(named=(graph,)), **kw,
        )  # fmt: skip
        return int(rows[0]["n"].value) if rows else 0

    def graph_triples(self, graph: str, *, page: int | None = None, **kw: Any) -> list[ox.Triple]:
        """Every triple of one graph, paged under ORDER BY (never cut by the row cap)."""
        rows = self.select_all(
            f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o",
            page=page, dataset=Dataset(named=(graph,)), **kw,
        )  # fmt: skip
        return [ox.Triple(r["s"], r["p"], r["o"]) for r in rows]

    # ---------------------------------------------------------------- updates

    def update(self, text: str, *, timeout: float = 600.0) -> None:
        """Run a SPARQL Update (form-encoded, like queries)."""
        with self._open("POST", self.update_url, data=[("update", text)],
                        accept=JSON_RESULTS, deadline=timeout) as answer:  # fmt: skip
            answer.response.read()

    def graph_store(self, method: str, graph: str, body: bytes = b"", *,
                    content_type: str = N_TRIPLES, timeout: float = 600.0) -> int:  # fmt: skip
        """One Graph Store Protocol request (PUT replaces, POST adds, DELETE drops)."""
        if not self.graph_store_url:
            raise RemoteQueryFailed("no Graph Store Protocol URL was given",
                                    _safe_url(self.query_url))  # fmt: skip
        with self._open(method, self.graph_store_url, params={"graph": graph},
                        content=body if method in ("PUT", "POST") else None,
                        content_type=content_type if method in ("PUT", "POST") else None,
                        deadline=timeout) as answer:  # fmt: skip
            answer.response.read()
            return int(answer.response.status_code)


# --------------------------------------------------------------------------- publish


@dataclass
class PublishedGraph:
    graph: str
    triples: int  # distinct triples sent
    stored: int  # triples the store holds afterwards
    requests: int
    seconds: float


@dataclass
class PublishReport:
    graphs: list[PublishedGraph] = field(default_factory=list)
    method: str = ""

    @property
    def triples(self) -> int:
        return sum(g.stored for g in self.graphs)


def _is_blank(t: ox.Triple) -> bool:
    return isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)


def publish(
    graphs: Iterable[tuple[str, Iterable[ox.Quad | ox.Triple]]],
    to: str,
    *,
    update_url: str | None = None,
    graph_store_url: str | None = None,
    user: str | None = None,
    password: str | None = None,
    batch: int = 50_000,
    client: SparqlClient | None = None,
    on_graph: Callable[[PublishedGraph], None] | None = None,
) -> PublishReport:
    """Replace each named graph on the store with the given triples, and check the counts.

    Each graph is loaded into a staging graph (Graph Store Protocol POSTs of N-Triples,
    ``batch`` triples a request, or SPARQL Update ``INSERT DATA`` without a graph store URL),
    whose count is checked *before* ``MOVE`` puts it in place: a failed or short load never
    touches the target. Triples with blank nodes travel in one request, so their identity
    holds. The store's default graph is never written (Virtuoso has none of its own): give
    the embedded default graph an IRI of its own and query with it as ``default-graph-uri``.
    ``MOVE`` is one request, but Virtuoso does not isolate it from concurrent readers.
    """
    own = client is None
    c = client or SparqlClient(to, update_url=update_url, graph_store_url=graph_store_url,
                               user=user, password=password)  # fmt: skip
    report = PublishReport(method="graph-store" if c.graph_store_url else "update")
    run = uuid.uuid4().hex[:12]
    try:
        group: list[tuple[str, list[ox.Triple], str]] = []
        size = 0

        def flush() -> None:
            nonlocal group, size
            for done in _publish_small(c, group):
                report.graphs.append(done)
                if on_graph:
                    on_graph(done)
            group, size = [], 0

        for index, (graph, statements) in enumerate(graphs):
            if not graph or graph.startswith("_:"):
                raise PublishFailed(
                    "publish needs a graph IRI for every graph (the store's default graph is "
                    "a union on Virtuoso): name the embedded default graph", _safe_url(to)
                )  # fmt: skip
            staging = f"urn:milgraph:staging:{run}:{index}"
            it = iter(statements)
            head = [st.triple if isinstance(st, ox.Quad) else st
                    for st in itertools.islice(it, SMALL_GRAPH + 1)]  # fmt: skip
            if len(head) <= SMALL_GRAPH and not any(_is_blank(t) for t in head):
                group.append((graph, head, staging))  # small: many graphs a request
                size += len(head)
                if size >= SMALL_BATCH or len(group) >= SMALL_GROUP:
                    flush()
                continue
            if group:
                flush()  # in order: a graph is never published before one given earlier
            done = _publish_graph(c, graph, itertools.chain(head, it), staging, batch)
            report.graphs.append(done)
            if on_graph:
                on_graph(done)
        if group:
            flush()
    finally:
        if own:
            c.close()
    return report


#: Graphs of at most this many triples (without blank nodes) are published many at a time:
#: a snapshot's point-in-time views are thousands of small graphs, and four requests per
#: graph made publishing them crawl. A group holds up to SMALL_GROUP graphs and
#: about SMALL_BATCH triples.
SMALL_GRAPH = 2_000
SMALL_BATCH = 10_000
SMALL_GROUP = 200


def _publish_small(c: SparqlClient, group: list[tuple[str, list[ox.Triple], str]]
                   ) -> list[PublishedGraph]:  # fmt: skip
    """Small graphs with the same guarantees as :func:`_publish_graph`, in one request per
    graph and four for the group: drop the staging graphs, load each (a Graph Store POST;
    without a graph store URL one Update ``INSERT DATA`` for the group), count every staging
    graph (all must hold what was sent, or nothing is moved), then one Update of ``MOVE``s
    (``DROP`` for an empty graph), counted again.

    One load path for all graphs: on Virtuoso, graphs loaded by ``INSERT DATA`` beside
    graphs loaded by the Graph Store Protocol gave wrong answers to date filters (the same
    triples, compared one by one; docs/remote-store.md).

    Graphs are published in the order given (``publish`` flushes a group before a large
    graph): on Virtuoso a date filter missed a membership when the snapshot's default graph
    was moved in after the named graphs holding the same triples (docs/remote-store.md)."""
    began = time.perf_counter()
    graphs = [(g, list(dict.fromkeys(ts)), st) for g, ts, st in group]
    c.update(" ;\n".join(f"DROP SILENT GRAPH <{st}>" for _, _, st in graphs))
    try:
        blocks = []
        for _, triples, staging in graphs:
            if not triples:
                continue
            body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
            if c.graph_store_url:  # the big graphs' load path (see the docstring)
                c.graph_store("POST", staging, body)
            else:
                blocks.append(f"GRAPH <{staging}> {{\n{body.decode()}}}")
        if blocks:
            c.update("INSERT DATA {\n" + "\n".join(blocks) + "\n}")
        staged = _counts(c, [st for _, _, st in graphs])
        for graph, triples, staging in graphs:
            if staged.get(staging, 0) != len(triples):
                raise PublishFailed(
                    f"graph <{graph}>: the store holds {staged.get(staging, 0)} triples after "
                    f"loading {len(triples)} distinct ones into staging graph <{staging}>; "
                    "the target was left as it was, as were the other graphs of its group. "
                    "(Fewer: the store merged literals it writes in canonical form, such as "
                    '"042"^^xsd:integer and "42"^^xsd:integer, or dropped triples it could not '
                    "read; see its log)",
                    _safe_url(c.update_url),
                )  # fmt: skip
        c.update(" ;\n".join(
            f"MOVE <{st}> TO <{g}>" if ts else f"DROP SILENT GRAPH <{g}>" for g, ts, st in graphs
        ))  # fmt: skip
    except BaseException:
        with contextlib.suppress(RemoteStoreError):
            c.update(" ;\n".join(f"DROP SILENT GRAPH <{st}>" for _, _, st in graphs))
        raise
    stored = _counts(c, [g for g, _, _ in graphs])
    seconds = (time.perf_counter() - began) / max(1, len(graphs))
    out = []
    for graph, triples, _ in graphs:
        if stored.get(graph, 0) != len(triples):
            raise PublishFailed(
                f"graph <{graph}>: the store holds {stored.get(graph, 0)} triples after MOVE, "
                f"{len(triples)} were published (a concurrent writer?)", _safe_url(c.update_url)
            )  # fmt: skip
        out.append(PublishedGraph(graph, len(triples), len(triples), 1, seconds))
    return out


def _counts(c: SparqlClient, graphs: list[str]) -> dict[str, int]:
    """Triples in each of ``graphs`` (absent: none), in one query."""
    values = " ".join(f"<{g}>" for g in graphs)
    rows = c.select(
        f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} "
        "GROUP BY ?g", dataset=Dataset(named=tuple(graphs)),
    )  # fmt: skip
    return {r["g"].value: int(r["n"].value) for r in rows}


def _publish_graph(c: SparqlClient, graph: str, statements: Iterable[Any], staging: str,
                   batch: int) -> PublishedGraph:  # fmt: skip
    began = time.perf_counter()
    seen: set[bytes] = set()
    pending: list[ox.Triple] = []
    blank: list[ox.Triple] = []
    requests = 0

    def send(triples: list[ox.Triple]) -> None:
        nonlocal requests
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
        if c.graph_store_url:
            c.graph_store("POST", staging, body)
        elif any(_is_blank(t) for t in triples):  # Virtuoso refuses blank nodes in INSERT DATA
            c.update(f"INSERT {{ GRAPH <{staging}> {{\n{body.decode()}\n}} }} WHERE {{}}")
        else:
            c.update(f"INSERT DATA {{ GRAPH <{staging}> {{\n{body.decode()}\n}} }}")
        requests += 1

    c.update(f"DROP SILENT GRAPH <{staging}>")
    try:
        for st in statements:
            t = st.triple if isinstance(st, ox.Quad) else st
            key = hashlib.blake2b(str(t).encode(), digest_size=16).digest()
            if key in seen:
                continue
            seen.add(key)
            (blank if _is_blank(t) else pending).append(t)
            if len(pending) >= batch:
                send(pending)
                pending = []
        if pending:
            send(pending)
        if blank:
            send(blank)  # one request: blank-node labels are scoped to one document
        expected = len(seen)
        staged = c.count(staging) if expected else 0
        if staged != expected:
            raise PublishFailed(
                f"graph <{graph}>: the store holds {staged} triples after loading {expected} "
                f"distinct ones into staging graph <{staging}>; the target was left as it "
                "was. (Fewer: the store merged literals it writes in canonical form, such as "
                '"042"^^xsd:integer and "42"^^xsd:integer, or dropped triples it could not '
                "read; see its log)",
                _safe_url(c.update_url),
            )  # fmt: skip
        if expected:
            c.update(f"MOVE <{staging}> TO <{graph}>")
        else:
            c.update(f"DROP SILENT GRAPH <{graph}>")
        stored = c.count(graph)
        if stored != expected:
            raise PublishFailed(
                f"graph <{graph}>: the store holds {stored} triples after MOVE, {expected} "
                "were published (a concurrent writer?)", _safe_url(c.update_url)
            )  # fmt: skip
    except BaseException:
        with contextlib.suppress(RemoteStoreError):
            c.update(f"DROP SILENT GRAPH <{staging}>")
        raise
    return PublishedGraph(graph, len(seen), stored, requests, time.perf_counter() - began)


# --------------------------------------------------------------------------- comparison


@dataclass(frozen=True)
class Difference:
    """One triple only one side holds; ``near`` is the other side's triple with the same
    subject and predicate when there is exactly one (a changed literal, say)."""

    side: str  # "expected" or "actual": the side that holds ``triple``
    triple: ox.Triple
    near: ox.Triple | None = None

    def __str__(self) -> str:
        if self.near is not None:
            return f"{self.near.object} became {self.triple.object} in {self.triple}"
        return f"only {self.side}: {self.triple}"


def differences(
    expected: Sequence[ox.Triple | ox.Quad], actual: Sequence[ox.Triple | ox.Quad]
) -> list[Difference]:
    """Triples that differ between two copies of a graph, each changed literal shown with
    what it was. Ground triples compare term by term; triples with blank nodes are matched
    by structure (rdflib's canonical labelling, which also normalises their literals)."""
    ours = [t.triple if isinstance(t, ox.Quad) else t for t in expected]
    theirs = [t.triple if isinstance(t, ox.Quad) else t for t in actual]
    left = {t for t in ours if not _is_blank(t)} | _canonical_blank(ours)
    right = {t for t in theirs if not _is_blank(t)} | _canonical_blank(theirs)
    only_left, only_right = left - right, right - left
    out: list[Difference] = []
    for t in sorted(only_right, key=str):
        near = [x for x in only_left if x.subject == t.subject and x.predicate == t.predicate]
        out.append(Difference("actual", t, near[0] if len(near) == 1 else None))
    matched = {d.near for d in out if d.near is not None}
    out += [Difference("expected", t) for t in sorted(only_left - matched, key=str)]
    return out


def _canonical_blank(triples: Sequence[ox.Triple]) -> set[ox.Triple]:
    blank = [t for t in triples if _is_blank(t)]
    if not blank:
        return set()
    from rdflib import Graph
    from rdflib.compare import to_canonical_graph

    g = Graph()
    g.parse(data=ox.serialize(blank, format=ox.RdfFormat.N_TRIPLES) or b"", format="nt")
    text = to_canonical_graph(g).serialize(format="nt", encoding="utf-8")
    return set(ox.parse(text, ox.RdfFormat.N_TRIPLES))


# --------------------------------------------------------------------------- cancellation


class Streams:
    """The responses one caller (a request) has open, so that another thread can stop it:
    ``cancel`` closes their connections, and a request not yet sent is not sent. ``timeout``
    is the deadline of the caller's queries (sent to the store as its own timeout)."""

    def __init__(self, timeout: float | None = None) -> None:
        self.timeout = timeout
        self.cancelled = False
        self._open: list[httpx.Response] = []
        self._lock = threading.Lock()

    def add(self, response: httpx.Response) -> None:
        with self._lock:
            cancelled = self.cancelled
            if not cancelled:
                self._open = [r for r in self._open if not r.is_closed] + [response]
        if cancelled:
            response.close()
            raise RemoteCancelled("the request was cancelled", str(response.url))

    def cancel(self) -> None:
        """Close every open response (safe from any thread)."""
        with self._lock:
            self.cancelled = True
            responses, self._open = self._open, []
        for r in responses:
            with contextlib.suppress(Exception):
                r.close()

    def close(self) -> None:
        with self._lock:
            responses, self._open = self._open, []
        for r in responses:
            with contextlib.suppress(Exception):
                r.close()


_scope: contextvars.ContextVar[Streams | None] = contextvars.ContextVar(
    "milgraph_remote_streams", default=None
)


@contextlib.contextmanager
def streams(scope: Streams) -> Iterator[Streams]:
    """Run the enclosed queries of this thread under ``scope`` (deadline, cancellation);
    their responses are closed on the way out."""
    token = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(token)
        scope.close()


# --------------------------------------------------------------------------- the GraphStore


@dataclass(frozen=True)
class Publication:
    """What ``publish_snapshot`` left on a store: the snapshot's key and graphs."""

    key: str
    default_graph: str
    named_graphs: tuple[str, ...]

    @property
    def dataset(self) -> Dataset:
        """The dataset that answers as the embedded snapshot does: its default graph, and
        every named graph it has (``GRAPH ?g`` ranges over exactly those)."""
        return Dataset(default=(self.default_graph,), named=self.named_graphs)


_TRUE = b'{"head":{},"boolean":true}'
_FALSE = b'{"head":{},"boolean":false}'


class SparqlStore:
    """A :class:`~milgraph.store.base.GraphStore` over the SPARQL 1.1 protocol.

    It answers natively nothing but queries (``capabilities`` all false, ``in_process``
    false: it is stopped by closing its connection, see :class:`Streams`); quad patterns,
    substitutions and prefixes go through the fallbacks of ``milgraph.store.base``.
    ``dataset`` stands for the store's own dataset (None or empty ``default_graph``/
    ``named_graphs``): on a published store, the publication's. A ``default_graph`` without
    ``named_graphs`` keeps its named graphs, as the embedded store does.

    A SELECT's answer streams when the store says when it cuts one (Virtuoso's
    ``X-SPARQL-MaxRows``, checked on the headers); with a row cap known and no such header,
    the answer is read whole and counted before it is handed on, never passed on cut."""

    def __init__(self, client: SparqlClient, dataset: Dataset | None = None) -> None:
        self.client = client
        self.dataset = dataset or Dataset()

    def __repr__(self) -> str:
        return f"SparqlStore({self.client!r})"

    @property
    def capabilities(self) -> Any:
        from milgraph.store.base import Capabilities

        return Capabilities()

    def _dataset(self, default: Sequence[str] | None, named: Sequence[str] | None) -> Dataset:
        if not default and not named:
            return self.dataset
        return Dataset(
            default=tuple(default) if default else self.dataset.default,
            named=tuple(named) if named is not None else self.dataset.named,
        )

    def query(
        self,
        text: str,
        *,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        substitutions: Mapping[str, Any] | None = None,
        prefixes: Mapping[str, str] | None = None,
    ) -> Any:
        if prefixes:
            text = sparql.with_prefixes(text, prefixes)
        text = sparql.inline_values(text)  # a VALUES row the caller wrote: Virtuoso's form
        if self.client.dialect is VIRTUOSO:
            text = typed_exists(text)
            at, form = _form_at(text)
            if form == "ASK":  # Virtuoso's ASK is true for GRAPH <g> outside the dataset
                text = f"{text[:at]}SELECT *{text[at + 3 :]}\nLIMIT 1"
                probe = self.client.query(text, dataset=self._dataset(default_graph, named_graphs),
                                          bindings=substitutions or None)  # fmt: skip
                assert isinstance(probe, Solutions)
                found = any(True for _ in probe)
                probe.close()
                return ox.parse_query_results(_TRUE if found else _FALSE,
                                              ox.QueryResultsFormat.JSON)  # fmt: skip
        dataset = self._dataset(default_graph, named_graphs)
        if dataset.named and not any(w.upper() == "GRAPH" for _, w in sparql.tokens(text)):
            dataset = Dataset(dataset.default)  # named graphs unused: a shorter request
        answer = self.client.query(text, dataset=dataset, bindings=substitutions or None)
        if isinstance(answer, bool):
            return ox.parse_query_results(_TRUE if answer else _FALSE,
                                          ox.QueryResultsFormat.JSON)  # fmt: skip
        if isinstance(answer, Triples):
            return iter(answer)
        if answer._cap is None:
            return answer._parsed  # the cap is checked on the headers (or there is none)
        rows = list(answer)  # raises RemoteTruncated at the cap
        return _solutions(answer.variables, rows)

    def quads(self, subject: Any = None, predicate: Any = None, object: Any = None,
              graph: Any = None) -> Iterator[ox.Quad]:  # fmt: skip
        from milgraph.store.base import quads_in_sparql

        return quads_in_sparql(self, subject, predicate, object, graph)

    def contains(self, subject: Any, predicate: Any, object: Any, graph: Any = None) -> bool:
        from milgraph.store.base import contains_in_sparql

        return contains_in_sparql(self, subject, predicate, object, graph)

    def close(self) -> None:
        self.client.close()


def _solutions(variables: Sequence[ox.Variable], rows: Sequence[ox.QuerySolution]) -> Any:
    """Counted rows as ``pyoxigraph.QuerySolutions`` again (it has no constructor: a
    serialisation of them is parsed)."""
    import json

    def term(t: Any) -> dict[str, str]:
        if isinstance(t, ox.NamedNode):
            return {"type": "uri", "value": t.value}
        if isinstance(t, ox.BlankNode):
            return {"type": "bnode", "value": t.value}
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        else:
            out["datatype"] = t.datatype.value
        return out

    names = [v.value for v in variables]
    doc = {"head": {"vars": names}, "results": {"bindings": [
        {n: term(r[n]) for n in names if r[n] is not None} for r in rows]}}  # fmt: skip
    return ox.parse_query_results(json.dumps(doc).encode(), ox.QueryResultsFormat.JSON)


_EXISTS_AS = re.compile(r"\(\s*((?:NOT\s+)?EXISTS\s*)\{", re.I)
_AS_VAR = re.compile(r"\s*AS\s*[?$]", re.I)


def typed_exists(text: str) -> str:
    """``(EXISTS {…} AS ?v)`` (in BIND or a SELECT expression) as ``(xsd:boolean(EXISTS {…})
    AS ?v)``: Virtuoso binds the value of a boolean expression as an ``xsd:integer`` 0 or 1,
    of a cast as an ``xsd:boolean`` (which the stream fix then writes ``true``/``false``)."""
    from milgraph.namespaces import XSD_BOOLEAN

    out, last = [], 0
    for m in _EXISTS_AS.finditer(text):
        if m.start() < last:
            continue
        brace = m.end() - 1
        end = sparql.closing_brace(text, brace)
        if not _AS_VAR.match(text, end + 1):
            continue
        out += [text[last : m.start() + 1], f"<{XSD_BOOLEAN}>(", text[m.start(1) : end + 1], ")"]
        last = end + 1
    return "".join(out) + text[last:] if out else text


def read_publication(client: SparqlClient) -> Publication | None:
    """The publication on the store (None: nothing was published there)."""
    from milgraph.namespaces import DCTERMS_HAS_PART, DCTERMS_IDENTIFIER, PUBLICATION_GRAPH

    rows = client.select_all(  # paged: a snapshot has more graphs than a store's row cap
        f"SELECT ?key ?g WHERE {{ GRAPH <{PUBLICATION_GRAPH}> {{ <{PUBLICATION_GRAPH}> "
        f"<{DCTERMS_IDENTIFIER}> ?key OPTIONAL {{ <{PUBLICATION_GRAPH}> <{DCTERMS_HAS_PART}> "
        "?g } } } ORDER BY ?key ?g",
        dataset=Dataset(default=(PUBLICATION_GRAPH,), named=(PUBLICATION_GRAPH,)),
    )  # fmt: skip
    if not rows:
        return None
    from milgraph.namespaces import PUBLISHED_DEFAULT_GRAPH

    keys = {r["key"].value for r in rows}
    if len(keys) != 1:
        raise RemoteQueryFailed(
            f"the publication graph <{PUBLICATION_GRAPH}> names {len(keys)} snapshots "
            f"({', '.join(sorted(keys))}): publish again", _safe_url(client.query_url)
        )  # fmt: skip
    graphs = sorted({r["g"].value for r in rows if r["g"] is not None})
    return Publication(keys.pop(), PUBLISHED_DEFAULT_GRAPH, tuple(graphs))


def publish_snapshot(
    store: Any,
    key: str,
    client: SparqlClient,
    *,
    batch: int = 50_000,
    on_graph: Callable[[PublishedGraph], None] | None = None,
) -> PublishReport:
    """Put a snapshot's quads on the store: its default graph under
    ``PUBLISHED_DEFAULT_GRAPH``, each named graph (asserted, inferred, per file, the
    point-in-time graphs) under its own IRI, and last the publication graph naming ``key``
    and the graphs. The publication is dropped first, so a server that starts while this
    runs refuses the store (``serve --backend`` checks the key) instead of reading half of
    it; graphs of an earlier publication that this one lacks are dropped at the end.

    ``store`` is any GraphStore (the snapshot's embedded store)."""
    from milgraph.namespaces import (
        DCTERMS_HAS_PART,
        DCTERMS_IDENTIFIER,
        PUBLICATION_GRAPH,
        PUBLISHED_DEFAULT_GRAPH,
    )

    before = read_publication(client)
    client.update(f"DROP SILENT GRAPH <{PUBLICATION_GRAPH}>")
    named = sorted(r["g"].value for r in store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g {} }"))
    for reserved in (PUBLISHED_DEFAULT_GRAPH, PUBLICATION_GRAPH):
        if reserved in named:
            raise PublishFailed(f"the snapshot has a graph named <{reserved}>, which publish "
                                "reserves for itself", _safe_url(client.update_url))  # fmt: skip

    def graphs() -> Iterator[tuple[str, Iterator[ox.Quad]]]:
        yield PUBLISHED_DEFAULT_GRAPH, store.quads(graph=ox.DefaultGraph())
        for g in named:
            yield g, store.quads(graph=ox.NamedNode(g))

    report = publish(graphs(), client.query_url, client=client, batch=batch, on_graph=on_graph)
    me = ox.NamedNode(PUBLICATION_GRAPH)
    about = [ox.Triple(me, ox.NamedNode(DCTERMS_IDENTIFIER), ox.Literal(key))] + [
        ox.Triple(me, ox.NamedNode(DCTERMS_HAS_PART), ox.NamedNode(g)) for g in named
    ]
    publish([(PUBLICATION_GRAPH, about)], client.query_url, client=client)
    for stale in sorted(set(before.named_graphs if before else ()) - set(named)):
        client.update(f"DROP SILENT GRAPH <{stale}>")
    return report
