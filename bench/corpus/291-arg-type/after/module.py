"""From packaging/_structures.py: _dataclass_setstate."""
from __future__ import annotations
import dataclasses
from typing import Any


def _dataclass_setstate(self: Any, state: Any) -> None:  # noqa: ANN401
    fields = dataclasses.fields(self)
    if isinstance(state, dict):
        # Pickles from packaging 26.3 and older store the instance ``__dict__``.
        names = [f.name for f in fields]
        if state.keys() != set(names):
            msg = f"Invalid pickle state for {type(self).__name__}: {list(state)}"
            raise TypeError(msg)
        state = [state[name] for name in names]
    for field, value in zip(fields, state, strict=True):
        object.__setattr__(self, field.name, value)
