def double(x: int) -> int:
    return x * 2


oops: int = "not an int"
