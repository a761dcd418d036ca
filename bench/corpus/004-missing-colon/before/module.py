"""From pickletools.py: read_uint8."""
from struct import unpack as _unpack


def read_uint8(f):
    r"""
    >>> import io
    >>> read_uint8(io.BytesIO(b'\xff\x00\x00\x00\x00\x00\x00\x00'))
    255
    >>> read_uint8(io.BytesIO(b'\xff' * 8)) == 2**64-1
    True
    """

    data = f.read(8)
    if len(data) == 8
        return _unpack("<Q", data)[0]
    raise ValueError("not enough data in stream to read uint8")
