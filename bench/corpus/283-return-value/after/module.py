"""From _pytest/terminal.py: format_node_duration."""
from __future__ import annotations


def format_node_duration(seconds: float) -> str:
    """Format the given seconds in a human readable manner to show in the test progress."""
    # The formatting is designed to be compact and readable, with at most 7 characters
    # for durations below 100 hours.
    # Pick the unit based on the rounded value, so that e.g. 999.96us is shown
    # as "1.000ms" instead of "1000.0us".
    for scale, unit, precision, limit in (
        (1000000, "us", 3, 10),
        (1000000, "us", 2, 100),
        (1000000, "us", 1, 1000),
        (1000, "ms", 3, 10),
        (1000, "ms", 2, 100),
        (1000, "ms", 1, 1000),
        (1, "s", 3, 60),
    ):
        text = f"{seconds * scale:.{precision}f}"
        if float(text) < limit:
            return f" {text}{unit}"
    whole_seconds = round(seconds)
    if whole_seconds < 3600:
        return f" {whole_seconds // 60}m {whole_seconds % 60}s"
    return f" {whole_seconds // 3600}h {(whole_seconds % 3600) // 60}m"
