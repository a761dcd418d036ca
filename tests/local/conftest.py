"""The real offline model: tests that need `fixloop[local]` installed.

On a developer's machine without the extra they are skipped, with the reason;
in CI (CI=true) a missing extra fails them, since CI installs it (.ci/run).
"""

from __future__ import annotations

import os
from importlib.util import find_spec

import pytest
from fixloop.providers.local import CACHE_ENV, INSTALL, SMALL


@pytest.fixture(autouse=True)
def _needs_the_local_model():
    missing = [
        what
        for what, there in (
            ("llama-cpp-python", find_spec("llama_cpp")),
            (SMALL.name, SMALL.installed),
        )
        if not there
    ]
    if missing:
        message = f"fixloop[local] is not installed ({', '.join(missing)} missing): {INSTALL}"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{message}; CI must install it (see .ci/run)", pytrace=False)
        pytest.skip(message)


@pytest.fixture(scope="session", autouse=True)
def local_cache(tmp_path_factory):
    """One cache for the session: the model is assembled once; servers the tests start find it."""
    cache = tmp_path_factory.mktemp("fixloop-cache")
    before = os.environ.get(CACHE_ENV)
    os.environ[CACHE_ENV] = str(cache)
    yield cache
    if before is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = before
