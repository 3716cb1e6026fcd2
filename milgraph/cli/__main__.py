"""``python -m milgraph.cli``: the command line (as the ``milgraph`` script)."""

from milgraph.cli import app

app()
