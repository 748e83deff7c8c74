"""Files the store writes that hold answers or password hashes (backups, listings of
discarded responses): written beside their target, readable by their owner only, and put
in place whole or not at all."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def written_whole(target: Path) -> Iterator[Path]:
    """A new, empty `target.partial` (mode 0600, created afresh: never a file or link
    someone left there) to write in the block; it replaces `target` when the block ends
    and is removed when the block fails."""
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        yield partial
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, target)
