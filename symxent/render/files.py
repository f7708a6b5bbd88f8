"""Generated files: stamped with a hash of their content, written atomically, never over hand edits.

The first line of every generated file names its generator and the SHA-256 of the rest. A file
whose first line is such a stamp and whose content still matches it was left as generated, and
may be replaced; any other existing file was written or edited by hand, and is replaced only
with ``force=True``. Writing goes to a temporary file beside the target, then ``os.replace``.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from ..errors import OverwriteError

__all__ = ["REGENERATE", "stamp", "is_pristine", "is_generated", "write_generated"]

REGENERATE = "symxent derive --all -o derivations/"
_COMMENT = {".tex": ("% ", ""), ".md": ("<!-- ", " -->")}
_STAMP = re.compile(r"symxent-generated sha256:([0-9a-f]{64})\b")


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def stamp(body: str, suffix: str, note: str = "written by symxent derive; edit a copy") -> str:
    """``body`` with its first line stating that it is generated, and the hash of ``body``.

    >>> print(stamp("x\\n", ".tex").splitlines()[0][:40])
    % symxent-generated sha256:73cb3858a687a
    """
    opening, closing = _COMMENT.get(suffix, ("# ", ""))
    return f"{opening}symxent-generated sha256:{_digest(body)} ({note}){closing}\n{body}"


def is_generated(text: str) -> bool:
    """True when the first line of ``text`` is a symxent stamp (edited since or not)."""
    return _STAMP.search(text.partition("\n")[0]) is not None


def is_pristine(text: str) -> bool:
    """True when ``text`` is a generated file whose content still matches its stamp.

    >>> is_pristine(stamp("x\\n", ".md")), is_pristine(stamp("x\\n", ".md") + "edit")
    (True, False)
    """
    first, _, body = text.partition("\n")
    found = _STAMP.search(first)
    return found is not None and found.group(1) == _digest(body)


def _mode(target: Path) -> int:
    """The mode a file replacing ``target`` gets: the old file's, or 0666 less the umask."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0o022)
        os.umask(mask)
        return 0o666 & ~mask


def write_generated(path: str | os.PathLike, text: str, *, force: bool = False) -> bool:
    """Write ``text`` to ``path`` atomically; return False when the file already held it.

    Raises :class:`symxent.errors.OverwriteError` when ``path`` exists and was edited by hand,
    unless ``force`` is true.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "note.md"
    >>> write_generated(path, stamp("hi\\n", ".md")), write_generated(path, stamp("hi\\n", ".md"))
    (True, False)
    """
    target = Path(path)
    if target.exists():
        old = target.read_text(encoding="utf-8", errors="replace")
        if old == text:
            return False
        if not force and not is_pristine(old):
            raise OverwriteError(f"path={str(target)!r} was edited by hand (or not written by symxent); "
                                 "pass --force to overwrite it")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name[:100]}.", suffix=".tmp")
    try:
        os.chmod(tmp, _mode(target))  # mkstemp makes 0600; a generated file gets what open() would give
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return True
