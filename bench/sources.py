"""Which sandbox code a benchmark run measured.

Others edit sandbox/ while a run of several minutes goes on. By default the
parent copies sandbox/ and streamlets/ into a temporary directory first and
puts it first on the children's PYTHONPATH, so every repetition measures the
same code; each run records a fingerprint of what it measured.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["ROOT", "Sources", "fingerprint", "git_head", "snapshot"]

ROOT: Final = Path(__file__).resolve().parents[1]
PACKAGES: Final = ("sandbox", "streamlets")


def fingerprint(root: Path) -> str:
    """A short hash of the Python sources of `root`/sandbox."""
    digest = hashlib.sha1()
    for path in sorted((root / "sandbox").rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def git_head() -> str:
    """The commit checked out (the working tree may differ from it)."""
    done = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    return done.stdout.strip() or "unknown"


class Sources:
    """The code children import: `root` (a snapshot, or the project) and their environment."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        self.env = env
        self.frozen = root != ROOT
        self.live_at_start = fingerprint(ROOT)

    def note(self) -> str:
        """What was measured, and whether the live tree moved meanwhile."""
        measured = fingerprint(self.root)
        if not self.frozen:
            return f"measured the live tree; sandbox/ sources now {measured}"
        live = fingerprint(ROOT)
        moved = "unchanged" if live == self.live_at_start else f"changed to {live} meanwhile"
        return (
            f"measured a snapshot of sandbox/ taken at the start ({measured}); "
            f"the live tree was {self.live_at_start} then, {moved}"
        )


@contextmanager
def snapshot(enabled: bool) -> Iterator[Sources]:
    """Copy sandbox/ and streamlets/ aside (if `enabled`) for the children to import."""
    if not enabled:
        yield Sources(ROOT, dict(os.environ))
        return
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-src-") as tmp:
        root = Path(tmp)
        for package in PACKAGES:
            ignore = shutil.ignore_patterns("__pycache__")
            shutil.copytree(ROOT / package, root / package, ignore=ignore)
        path = os.pathsep.join(p for p in (tmp, os.environ.get("PYTHONPATH")) if p)
        yield Sources(root, {**os.environ, "PYTHONPATH": path})
