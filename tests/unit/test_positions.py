"""Columns in code points to and from utf-8, utf-16 and utf-32 clients."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixloop.lsp.positions import from_client, to_client

LINE = 'y = "é😀"; import sys'  # é: 2 utf-8 bytes; 😀: 4 bytes, 2 utf-16 units


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", 14), ("utf-16", 11), ("utf-32", 10)],
)
def test_columns_after_non_ascii(encoding, expected):
    column = LINE.index("import")
    assert column == 10
    assert to_client(LINE, column, encoding) == expected
    assert from_client(LINE, expected, encoding) == column


@given(st.text(), st.integers(min_value=0, max_value=50), st.sampled_from(["utf-8", "utf-16", "utf-32"]))
def test_round_trip(line, column, encoding):
    column = min(column, len(line))
    assert from_client(line, to_client(line, column, encoding), encoding) == column
