"""From inspect.py: getcoroutinelocals."""


def getcoroutinelocals(coroutine):
    """
    Get the mapping of coroutine local variables to their current values.

    A dict is returned, with the keys the local variable names and values the
    bound values."""
    frame = getattr(coroutine, "cr_frame", None)
    if farme is not None:
        return frame.f_locals
    else:
        return {}
