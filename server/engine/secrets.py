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

Scanning costs ~0.1 ms a line: it runs off the event loop, once per text
(`find_secrets` is cached by content), never per keystroke.
"""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass

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
        for word in words[-NEAR_WORDS:]:
            variant = f"{word} ={rhs}"
            if variant.replace(" ", "") != line.replace(" ", ""):
                variants.append(variant)
    return variants


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
    from detect_secrets.core.scan import _process_line_based_plugins  # noqa: PLC2701
    from detect_secrets.settings import default_settings

    with _SCANNING, default_settings():
        return list(_process_line_based_plugins(numbered, filename))


@functools.lru_cache(maxsize=16)
def find_secrets(text: str, filename: str = "file.py") -> frozenset[str]:
    """Every secret value in `text` to mask (cached by content: call it off the event loop)."""
    lines = text.splitlines()
    numbered = list(enumerate(lines, 1))
    found: set[str] = set()
    for secret in _scan(numbered, filename):
        line = lines[secret.line_number - 1]
        value = secret.secret_value or ""
        if secret.type == PRIVATE_KEY:
            found.update(_key_block(lines, secret.line_number - 1))
            continue
        if len(value) < MIN_SECRET:
            value = _around(line, value) if value else ""
        if len(value) >= MIN_SECRET:
            found.add(value)
    # Typed assignments the keyword plugin cannot read: scanned again, word by word.
    variants = [
        (number, variant)
        for number, line in numbered
        for variant in _typed_variants(line)
    ]
    for secret in _scan(variants, filename) if variants else ():
        value = secret.secret_value or ""
        if len(value) >= MIN_SECRET and value in lines[secret.line_number - 1]:
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
