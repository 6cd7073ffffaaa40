"""Hypothesis profiles: "ci" (the default) keeps the suite quick; HYPOTHESIS_PROFILE=thorough digs.

The hostile-input tests build one world per module and undo each example inside it, so no
function-scoped fixture is reused across examples.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "8")),
    deadline=None,  # a request's time varies with the machine; speed belongs in bench/
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.register_profile(
    "thorough",
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
