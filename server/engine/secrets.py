"""The secrets of a file, found by detect-secrets over the whole file, and their masking.

detect-secrets (Yelp) runs its plugins (AWS, Stripe, GitHub, private keys,
basic-auth URLs, `password = "..."` keywords, high-entropy strings, ...) over
every line of the file, with its own false-positive filters. Its results are
taken as they are, except:

- a result shorter than `MIN_SECRET` characters is a fragment (the GitHub
  plugin reports `ghp`, the basic-auth one the password alone): the token
  around it on its line is masked instead, never the fragment everywhere;
- the keyword plugin does not see a name with a type in between
  (`admin_password: str = "..."`, `var password string = "..."`,
  `let password: &str = "..."`) nor a keyword argument after another `=`
  (`client = make(api_key="...")`): a line with a string after an `=` is
  scanned again as `<word> = <what follows>`, for each of the words just
  before that `=`;
- a private key is one result on its BEGIN line: the whole block, up to its
  END line, is masked.

Scanning costs 0.2-0.7 ms a line of real code (27 plugins): it runs off the
event loop, once per text (`find_secrets` is cached by content), and a line
once (results are cached per line: after a one-line edit of a 1,300-line file
the rescan took 2 ms, the first scan 310 ms), never per keystroke.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import PurePath

MIN_SECRET = 4  # characters: shorter results are fragments (see above)
PLACEHOLDER = "<fixloop-secret-{}>"
TOKEN_ENDS = " \t\"'`,;()[]{}<>"
PRIVATE_KEY = "Private Key"

# detect-secrets keeps its settings in a global: one scan at a time.
_SCANNING = threading.Lock()


def _around(line: str, value: str) -> str:
    """The token on `line` holding `value`: up to whitespace, quotes or brackets."""
    at = line.find(value)
    if at < 0:
        return value
    start, end = at, at + len(value)
    while start > 0 and line[start - 1] not in TOKEN_ENDS:
        start -= 1
    while end < len(line) and line[end] not in TOKEN_ENDS:
        end += 1
    return line[start:end]


def _assignments(line: str) -> list[tuple[str, str]]:
    """(what is before, what follows) each `=` or `:=` (not a comparison) with a string after."""
    found = []
    for at, ch in enumerate(line):
        if ch != "=":
            continue
        before, after = line[at - 1] if at else "", line[at + 1 : at + 2]
        if after == "=" or before in "=!<>":
            continue  # a comparison
        rest = line[at + 1 :]
        if any(quote in rest for quote in "\"'`"):
            found.append((line[: at - 1 if before == ":" else at], rest))
    return found


NEAR_WORDS = 3  # the words just before an `=` that may name what it assigns


def _typed_variants(line: str) -> list[str]:
    """The line as `word = value` for each word just before each `=` (see the module's
    docstring), when that is not the line itself."""
    variants = []
    for lhs, rhs in _assignments(line):
        words = "".join(c if c.isalnum() or c == "_" else " " for c in lhs).split()
        # A bytes or raw literal (`password = b"..."`) as a plain one: the keyword plugin
        # reads only plain quotes.
        bare = rhs.lstrip()
        if len(bare) > 1 and bare[0] in "bBrRuU" and bare[1] in "\"'":
            rhs = " " + bare[1:]
        for word in words[-NEAR_WORDS:]:
            variant = f"{word} ={rhs}"
            if variant.replace(" ", "") != line.replace(" ", ""):
                variants.append(variant)
    if "://:" in line:  # a URL with a password and no user (`redis://:pw@host`)
        variants.append(line.replace("://:", "://user:"))
    return variants


def _begins_a_key(line: str) -> bool:
    """A PEM private key's BEGIN line of any kind: detect-secrets' own list has no
    `ENCRYPTED PRIVATE KEY` (PKCS#8 with a passphrase), whose body is as secret."""
    at = line.find("-----BEGIN ")
    return at >= 0 and "PRIVATE KEY" in line[at:].split("-----", 3)[1]


def _key_block(lines: list[str], begin: int) -> list[str]:
    """The lines of a private key from its BEGIN line (index) to its END line."""
    block = []
    for line in lines[begin:]:
        text = line.strip().strip("\"'`,").strip()
        if text:
            block.append(text)
        if "-----END" in line or (not text and len(block) > 1):
            break
    return block


def _scan(numbered: list[tuple[int, str]], filename: str):
    # Private, but the one function that runs the plugins and filters over given lines.
    from detect_secrets.core.scan import _process_line_based_plugins
    from detect_secrets.settings import default_settings

    with _SCANNING, default_settings():
        return list(_process_line_based_plugins(numbered, filename))


Result = tuple[str, str]  # (detect-secrets' type, the value it reported)


class _LineCache:
    """detect-secrets' results per (file type, line), bounded: the next version of a file is
    scanned only where its lines changed. A cache, shared by every loop of the process."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[tuple[str, str], tuple[Result, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> tuple[Result, ...] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: tuple[str, str], value: tuple[Result, ...]) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_LINES = _LineCache(50_000)


def _scan_lines(lines: list[str], kind: str) -> None:
    """Scan the lines not in the cache (each with its typed variants) and cache their results."""
    numbered: list[tuple[int, str]] = []
    owner: dict[int, int] = {}  # number in the batch -> index in `lines`
    variants: set[int] = set()  # numbers of the typed variants (not the line itself)
    for index, line in enumerate(lines):
        for text in (line, *_typed_variants(line)):
            numbered.append((len(numbered) + 1, text))
            owner[len(numbered)] = index
            if text is not line:
                variants.add(len(numbered))
    results: dict[int, list[Result]] = {index: [] for index in range(len(lines))}
    for secret in _scan(numbered, f"file{kind}") if numbered else ():
        index = owner[secret.line_number]
        value = secret.secret_value or ""
        if secret.line_number in variants and (
            len(value) < MIN_SECRET or value not in lines[index]
        ):
            continue  # a variant's result counts only when it is a value on the line
        results[index].append((secret.type, value))
    for index, line in enumerate(lines):
        _LINES.put((kind, line), tuple(results[index]))


@functools.lru_cache(maxsize=16)
def find_secrets(text: str, filename: str = "file.py") -> frozenset[str]:
    """Every secret value in `text` to mask (cached by content and per line: call it off the
    event loop)."""
    kind = PurePath(filename).suffix or filename  # the keyword plugin reads by file type
    lines = text.splitlines()
    missing = list(dict.fromkeys(
        line for line in lines if line.strip() and _LINES.get((kind, line)) is None
    ))
    if missing:
        _scan_lines(missing, kind)
    found: set[str] = set()
    for index, line in enumerate(lines):
        if not line.strip():
            continue
        if _begins_a_key(line):
            found.update(_key_block(lines, index))
        for kind_of, value in _LINES.get((kind, line)) or ():
            if kind_of == PRIVATE_KEY:
                found.update(_key_block(lines, index))
                continue
            if len(value) < MIN_SECRET:
                value = _around(line, value) if value else ""
            if len(value) >= MIN_SECRET:
                found.add(value)
    return frozenset(found)


@dataclass(frozen=True)
class Masker:
    """Placeholders for a file's secrets: the same in every message of every attempt."""

    secrets: tuple[tuple[str, str], ...]  # (placeholder, secret), longest secret first

    @classmethod
    def of(cls, values: frozenset[str]) -> Masker:
        ordered = sorted(values, key=lambda v: (-len(v), v))
        return cls(tuple((PLACEHOLDER.format(n), v) for n, v in enumerate(ordered, 1)))

    @functools.cached_property
    def _pattern(self) -> re.Pattern[str] | None:
        if not self.secrets:
            return None
        return re.compile("|".join(re.escape(secret) for _, secret in self.secrets))

    def mask(self, text: str) -> str:
        """`text` with every occurrence of every secret replaced by its placeholder."""
        if self._pattern is None:
            return text
        placeholders = {secret: placeholder for placeholder, secret in self.secrets}
        return self._pattern.sub(lambda m: placeholders[m.group(0)], text)

    def unmask(self, text: str) -> str:
        """A reply with the secrets back in place of their placeholders."""
        for placeholder, secret in self.secrets:
            text = text.replace(placeholder, secret)
        return text
