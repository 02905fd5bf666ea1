"""Serve Ralph's learning record store API (``ralph.api:app``) with uvicorn, for the xAPI tests; run by Ralph's own
virtual environment (tests/lrs/harness.py starts it): ``tests/lrs/.venv/bin/python tests/lrs/serve.py HOST PORT``.

One change to Ralph, to its storage only: its filesystem backend writes every batch of statements with its default
operation, "create", which refuses a file that already exists, so the store would take the first POST and answer
500 to every later one (Ralph's own API tests POST to the Elasticsearch, MongoDB and ClickHouse backends, never to
this one). Here that backend appends, as a store must. Everything the tests check of Ralph is untouched: sign-in,
validation, the 204 for statements it already has, and the 409 for a different statement under a known id.
"""

from __future__ import annotations

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="info")
