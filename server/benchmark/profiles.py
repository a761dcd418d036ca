"""Simulated model profiles: how fast a model class answers, how often it is right, what it costs.

A profile drives the simulated model server (`simserver`): time to first
token, tokens per second, the probability that an attempt is right (per case
kind), what a wrong attempt looks like, and the prices the engine charges.

Built in (numbers as best known; see bench/README.md):

- `mercury-class`: a diffusion model of the Mercury 2 kind. About 1,000
  output tokens/s (Inception's Mercury 2 announcement, Feb 2026: 1,009 tok/s);
  0.3 s to the first token (assumed: Inception quotes 1.7 s end to end for a
  typical reply, most of it output); $0.25 / $0.75 per million tokens in /
  out (Inception's list price for mercury-2, as on OpenRouter).
- `frontier-class`: a Claude Sonnet 4.5-class model. 63 output tokens/s and
  1.8 s to the first token (Artificial Analysis' medians for Sonnet 4.5; we
  use 60 and 2.0); $3 / $15 per million tokens (Anthropic's list price).

Custom profiles come from a TOML or JSON file (the same keys as `Profile`,
`name` required, `base = "mercury-class"` to start from a built-in one) or
from overrides on the command line: `mercury-class:ttft=0.5,tps=400,p=0.5`.
"""

from __future__ import annotations

import dataclasses
import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

WRONG_KINDS = ("near-miss", "cheat", "unusable")
PROTOCOLS = ("openai", "anthropic")


class ProfileError(Exception):
    """A profile that cannot be used; the message says which key and why."""


@dataclass(frozen=True, kw_only=True)
class Profile:
    """One simulated model class."""

    name: str
    model: str = ""  # the model name sent in requests; defaults to the profile's name
    protocol: str = "openai"  # the wire protocol its tier speaks: openai or anthropic
    ttft: float = 0.3  # seconds from the request to the first output token
    tokens_per_second: float = 1000.0  # output pace after the first token
    p_right: float = 0.35  # probability that one attempt is the ground-truth fix
    p_right_by_kind: Mapping[str, float] = field(default_factory=dict)  # overrides per case kind
    # What a wrong attempt is: a plausible wrong edit, a cheat (suppression or deletion),
    # or a reply that cannot be applied. Weights, normalised.
    wrong: Mapping[str, float] = field(
        default_factory=lambda: {"near-miss": 0.5, "cheat": 0.25, "unusable": 0.25}
    )
    usd_per_mtok_in: float = 0.25
    usd_per_mtok_out: float = 0.75
    chars_per_token: float = 4.0  # for pacing and usage: about four characters a token of code
    source: str = ""  # where the numbers come from

    def __post_init__(self) -> None:
        object.__setattr__(self, "p_right_by_kind", MappingProxyType(dict(self.p_right_by_kind)))
        object.__setattr__(self, "wrong", MappingProxyType(dict(self.wrong)))
        problems = _problems(self)
        if problems:
            raise ProfileError(f"profile {self.name!r}: " + "; ".join(problems))

    @property
    def model_name(self) -> str:
        return self.model or self.name

    def p_for(self, kind: str) -> float:
        """The probability that an attempt on a case of this kind is right."""
        return self.p_right_by_kind.get(kind, self.p_right)

    def as_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data["p_right_by_kind"] = dict(self.p_right_by_kind)
        data["wrong"] = dict(self.wrong)
        return data


def _problems(profile: Profile) -> list[str]:
    problems = []
    if not profile.name or "/" in profile.name or " " in profile.name:
        problems.append("`name` must be a non-empty word without '/' or spaces")
    if profile.protocol not in PROTOCOLS:
        problems.append(f"`protocol` must be one of {', '.join(PROTOCOLS)}")
    if profile.ttft < 0:
        problems.append("`ttft` must not be negative")
    if profile.tokens_per_second <= 0:
        problems.append("`tokens_per_second` must be greater than 0")
    if profile.chars_per_token <= 0:
        problems.append("`chars_per_token` must be greater than 0")
    for key, value in [("p_right", profile.p_right), *profile.p_right_by_kind.items()]:
        if not 0 <= value <= 1:
            problems.append(f"probability `{key}` must be between 0 and 1, got {value!r}")
    unknown = set(profile.wrong) - set(WRONG_KINDS)
    if unknown:
        problems.append(
            f"`wrong` has unknown kind(s) {', '.join(sorted(unknown))} "
            f"(known: {', '.join(WRONG_KINDS)})"
        )
    if any(w < 0 for w in profile.wrong.values()) or not sum(profile.wrong.values()) > 0:
        problems.append("`wrong` weights must not be negative and must not all be 0")
    if profile.usd_per_mtok_in < 0 or profile.usd_per_mtok_out < 0:
        problems.append("prices must not be negative")
    return problems


TYPE_ERRORS = ("return-value", "arg-type")

MERCURY = Profile(
    name="mercury-class",
    model="mercury-class",
    protocol="openai",
    ttft=0.3,
    tokens_per_second=1000.0,
    p_right=0.35,
    p_right_by_kind={"return-value": 0.25, "arg-type": 0.25},
    wrong={"near-miss": 0.5, "cheat": 0.25, "unusable": 0.25},
    usd_per_mtok_in=0.25,
    usd_per_mtok_out=0.75,
    source=(
        "Inception's Mercury 2 announcement (Feb 2026): 1,009 output tok/s; list price "
        "$0.25/$0.75 per Mtok (OpenRouter, inception/mercury-2); time to first token 0.3 s "
        "assumed (Inception quotes 1.7 s end to end for a typical reply)"
    ),
)
FRONTIER = Profile(
    name="frontier-class",
    model="frontier-class",
    protocol="anthropic",
    ttft=2.0,
    tokens_per_second=60.0,
    p_right=0.8,
    p_right_by_kind={"return-value": 0.7, "arg-type": 0.7},
    wrong={"near-miss": 0.6, "cheat": 0.1, "unusable": 0.3},
    usd_per_mtok_in=3.0,
    usd_per_mtok_out=15.0,
    source=(
        "Artificial Analysis' medians for Claude Sonnet 4.5: 63 output tok/s, 1.8 s to the "
        "first token (rounded to 60 tok/s, 2.0 s); Anthropic's list price $3/$15 per Mtok"
    ),
)
BUILTIN: Mapping[str, Profile] = MappingProxyType({p.name: p for p in (MERCURY, FRONTIER)})

# Short names accepted in command-line overrides.
ALIASES = {
    "tps": "tokens_per_second",
    "p": "p_right",
    "in": "usd_per_mtok_in",
    "out": "usd_per_mtok_out",
}
NUMBER_KEYS = {
    "ttft",
    "tokens_per_second",
    "p_right",
    "usd_per_mtok_in",
    "usd_per_mtok_out",
    "chars_per_token",
}


def _from_table(table: Mapping[str, Any], where: str) -> Profile:
    table = dict(table)
    base_name = table.pop("base", None)
    if base_name is not None and base_name not in BUILTIN:
        raise ProfileError(
            f"{where}: `base` must name a built-in profile ({', '.join(BUILTIN)}), got {base_name!r}"
        )
    known = {f.name for f in dataclasses.fields(Profile)}
    unknown = set(table) - known
    if unknown:
        raise ProfileError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(known))})"
        )
    if "name" not in table:
        raise ProfileError(f"{where}: `name` is required")
    for key in NUMBER_KEYS & set(table):
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProfileError(f"{where}: `{key}` must be a number, got {value!r}")
        table[key] = float(value)
    for key in ("p_right_by_kind", "wrong"):
        if key in table and not isinstance(table[key], Mapping):
            raise ProfileError(f"{where}: `{key}` must be a table")
    if base_name is not None:
        base = BUILTIN[base_name]
        if "model" not in table:
            table["model"] = table["name"]
        return dataclasses.replace(base, **table)
    try:
        return Profile(**table)
    except TypeError as exc:
        raise ProfileError(f"{where}: {exc}") from None


def load_profile_file(path: Path) -> Profile:
    """A profile from a .toml or .json file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read: {exc.strerror}") from None
    try:
        if path.suffix == ".json":
            table = json.loads(data)
        else:
            table = tomllib.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ProfileError(
            f"{path}: not valid {path.suffix.lstrip('.').upper() or 'TOML'}: {exc}"
        ) from None
    if not isinstance(table, dict):
        raise ProfileError(f"{path}: a profile must be a table")
    return _from_table(table, str(path))


def _override(profile: Profile, text: str) -> Profile:
    changes: dict[str, Any] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, value = item.partition("=")
        key = ALIASES.get(key.strip(), key.strip())
        if not sep:
            raise ProfileError(f"override {item!r} is not KEY=VALUE")
        if key.startswith(("p_right.", "p.")):
            kind = key.split(".", 1)[1]
            by_kind = dict(changes.get("p_right_by_kind", profile.p_right_by_kind))
            by_kind[kind] = _number(key, value)
            changes["p_right_by_kind"] = by_kind
        elif key in NUMBER_KEYS:
            changes[key] = _number(key, value)
        elif key in ("name", "model", "protocol"):
            changes[key] = value.strip()
        else:
            known = sorted(NUMBER_KEYS | {"name", "model", "protocol", *ALIASES, "p.KIND"})
            raise ProfileError(f"override {item!r}: unknown key (known: {', '.join(known)})")
    if changes and "name" not in changes:
        changes["name"] = profile.name + "+"  # a changed profile is another profile
    return dataclasses.replace(profile, **changes)


def _number(key: str, value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ProfileError(f"override `{key}` must be a number, got {value!r}") from None


def resolve_profile(spec: str) -> Profile:
    """A profile from `NAME[:KEY=VALUE,...]`, NAME a built-in profile or a .toml/.json file."""
    name, _, overrides = spec.partition(":")
    if name in BUILTIN:
        profile = BUILTIN[name]
    elif name.endswith((".toml", ".json")) or Path(name).is_file():
        profile = load_profile_file(Path(name))
    else:
        raise ProfileError(
            f"unknown profile {name!r}: use {', '.join(BUILTIN)}, a .toml or .json profile "
            "file, or `config` for the workspace's model"
        )
    return _override(profile, overrides) if overrides else profile
