"""From pprint.py: _wrap_bytes_repr."""


def _wrap_bytes_repr(object, width, allowance):
    current = b''
    last = len(object) // 4 * 4
    for i in range(0, len(object), 4):
        part = object[i: i+4]
        candidate = current + part
        if i == last:
            width -= allowance
        if len(repr(candidate)) > width:
            if crurent:
                yield repr(current)
            current = part
        else:
            current = candidate
    if current:
        yield repr(current)
