"""An example with a syntax error: fixloop puts the colon back."""


def sign(x: int) -> int:
    if x < 0
        return -1
    return 1
