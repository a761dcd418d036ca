"""The manual (docs/, mkdocs.yml) builds with --strict, and the README's links lead somewhere.

Strict mode turns every warning into a failure: a page missing from the nav, a link to a
page or an anchor that does not exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_docs_site_builds_strictly(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},  # a notice about mkdocs' future
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "site" / "trust" / "index.html").is_file()


def test_the_readmes_relative_links_exist():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\((?!https?://|#)([^)#\s]+)", readme)
    assert targets, "the README links to the manual"
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert missing == []


def test_the_readme_is_one_screen_of_what_a_user_needs():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 150
