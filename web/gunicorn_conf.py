"""gunicorn settings: ``gunicorn -c python:web.gunicorn_conf 'web.app:create_app()'``.

The ESCO label index takes seconds to build (tens of seconds on a busy machine) and about a
gigabyte. Built lazily, every worker built its own on its first search, and gunicorn's worker
timeout (30 s) killed the worker mid-build, so the next search started over: the load bench
found the type-ahead never answering. So the app is loaded once in the master (preload), the
label and ranking indexes are built there before the workers fork, and the workers share them
(copy-on-write; gc.freeze keeps the garbage collector from touching, so copying, those pages).
"""

from __future__ import annotations

import gc
from typing import Any

preload_app = True
# After an ESCO import each worker rebuilds the stale index on its next search, in the worker
# itself; on a busy machine that outlasts the default 30 s and the worker would be killed mid-way.
timeout = 120


def when_ready(server: Any) -> None:
    """In the master, after the app is loaded and before the first worker forks."""
    from web.cli.serve import warm_indexes
    from web.db import EXTENSION

    app = server.app.wsgi()
    factory = app.extensions[EXTENSION]
    warm_indexes(factory, server.log.info)
    # No connection may be shared by the forked workers: each opens its own.
    factory.kw["bind"].dispose()
    gc.freeze()
