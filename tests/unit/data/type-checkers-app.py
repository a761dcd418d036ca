import re

import helper


def label(n: int) -> str:
    return n * 2


def first_word(text: str) -> str:
    return re.match(r"\w+", text).group(0)


def widen(xs: list[float]) -> None: ...


ints: list[int] = [1]
widen(ints)
s = "é😀"; helper.double("a")
reveal_type(s)
print(undefined_name)
