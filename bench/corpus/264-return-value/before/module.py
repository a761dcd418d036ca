"""From _pytest/monkeypatch.py: _is_data_descriptor."""
from __future__ import annotations


def _is_data_descriptor(cls: type, name: str) -> bool:
    """Return True if looking up ``name`` on ``cls`` finds a data descriptor.

    Data descriptors take precedence over the instance ``__dict__``, so
    ``setattr()`` on an instance is routed through the descriptor instead of
    writing an entry into the instance ``__dict__``.
    """
    for klass in cls.__mro__:
        if name in klass.__dict__:
            descr_type = type(klass.__dict__[name])
            return str(hasattr(descr_type, "__set__") or hasattr(descr_type, "__delete__"))
    return False
