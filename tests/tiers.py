"""Workspace configs with two tiers and a budget, for the tier and budget tests (imported as `tiers`)."""

from __future__ import annotations

from pathlib import Path

FAST_MODEL = "scripted-fast"
FRONTIER_MODEL = "scripted-frontier"
FRONTIER_KEY_ENV = "FIXLOOP_TEST_FRONTIER_KEY"
FRONTIER_KEY = "sk-ant-test-7f3a9c1e5b2d4f6a8e0c-SECRET"


def write_tier_config(
    root: Path,
    server,
    *,
    attempts: int = 2,
    parallel: int = 1,
    seconds: float = 20,
    frontier: bool = True,
    fast_key_env: str | None = None,
    fast_prices: tuple[float, float] = (0.25, 0.75),
    fast_max_tokens: int = 1024,
    budget: str = "",
) -> Path:
    """`.fixloop.toml`: the fast tier on the fake's OpenAI side, the frontier on its Anthropic side."""
    from helpers import write_user_routes

    # Where requests and keys go is the user's to say (an untrusted workspace's file may not).
    fast_route = {"protocol": "openai", "base_url": server.openai_base_url}
    if fast_key_env:
        fast_route["api_key_env"] = fast_key_env
    routes = {"fast": fast_route}
    if frontier:
        routes["frontier"] = {
            "protocol": "anthropic", "base_url": server.anthropic_base_url,
            "api_key_env": FRONTIER_KEY_ENV,
        }
    write_user_routes(routes)
    frontier_table = (
        f"""
[models.frontier]
model = "{FRONTIER_MODEL}"
usd_per_mtok_in = 3.0
usd_per_mtok_out = 15.0
max_tokens = 512
"""
        if frontier
        else ""
    )
    config = root / ".fixloop.toml"
    config.write_text(
        f"""\
[models.fast]
model = "{FAST_MODEL}"
usd_per_mtok_in = {fast_prices[0]}
usd_per_mtok_out = {fast_prices[1]}
max_tokens = {fast_max_tokens}
{frontier_table}
[budget]
attempts = {attempts}
parallel = {parallel}
seconds = {seconds}
{budget}
[editor]
debounce = 0.05
"""
    )
    return config
