"""Numbers a model server sends back: bounded, never a crash or a rest for ever."""

import httpx
import pytest
from fixloop.providers.http import MAX_RETRY_AFTER, retry_after
from fixloop.providers.wire import MAX_TOKEN_COUNT, tokens


@pytest.mark.badinput
@pytest.mark.parametrize(
    "header, seconds",
    [
        ("inf", MAX_RETRY_AFTER),
        ("1e308", MAX_RETRY_AFTER),
        ("nan", None),
        ("-inf", 0.0),
        ("-5", 0.0),
        ("2.5", 2.5),
        ("Wed, 21 Oct 2015 07:28:00 GMT", None),
    ],
)
def test_a_retry_after_is_at_most_a_day(header, seconds):
    assert retry_after(httpx.Headers({"retry-after": header})) == seconds


@pytest.mark.badinput
@pytest.mark.parametrize(
    "value, count",
    [(10**400, MAX_TOKEN_COUNT), (2**63, MAX_TOKEN_COUNT), (12, 12), (-1, None), (1.5, None), (True, None)],
)
def test_a_reported_token_count_is_bounded(value, count):
    assert tokens(value) == count
