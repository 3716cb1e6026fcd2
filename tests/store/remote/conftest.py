"""Fixtures of the remote-store tests: one throw-away Virtuoso per test session (about 3 s to
start), and clients for it. Virtuoso is installed by ``make test`` (scripts/install-virtuoso.sh);
without it these tests fail, with the fix in the message, rather than skip."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from milgraph.store.sparql import SparqlClient
from tests.support import virtuoso


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[virtuoso.VirtuosoServer]:
    if not virtuoso.available():
        pytest.fail(f"Virtuoso is not installed: {virtuoso.INSTALL_HINT}", pytrace=False)
    s = virtuoso.start(parent=tmp_path_factory.mktemp("virtuoso"))
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def client(server: virtuoso.VirtuosoServer) -> Iterator[SparqlClient]:
    """Reads anonymously on /sparql; updates and the graph store behind digest auth."""
    with SparqlClient(server.query_url, update_url=server.auth_url,
                      graph_store_url=server.graph_store_url,
                      user=server.user, password=server.password) as c:  # fmt: skip
        yield c
