"""From cattrs/converters.py: _is_extended_factory."""
from __future__ import annotations
from collections.abc import Callable
from inspect import Signature
from inspect import signature as inspect_signature


def _is_extended_factory(factory: Callable) -> bool:
    """Does this factory also accept a converter arg?"""
    # We use the original `inspect.signature` to not evaluate string
    # annotations.
    sig = inspect_signature(factory)
    return (
        len(sig.parameters) >= 2
        and (list(sig.parameters.values())[1]).default is Signature.empty
    )
