"""Output files: may this path be written, and writing it so that nothing is lost or clobbered.

Two jobs, for every file a run writes (reports, findings.json, saved snapshots):

* :func:`problem` says, before anything runs, why a path cannot be an output: a folder, something
  that is not a regular file (a FIFO would block the run, a device would be replaced by a file),
  a place that cannot be written, the same file as an input or as another output.
* :func:`write_atomically` writes a whole file or nothing: a temporary file in the target's folder,
  fsync, ``os.replace``. It writes *through* a symbolic link (the link stays, its regular-file
  target is replaced) and keeps the mode of the file it replaces.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, TextIO


class NotARegularFile(OSError):
    """The path exists and is not a regular file: it is never replaced by one."""


_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


@dataclass(frozen=True)
class Named:
    """A path as the user named it (option and value) and where it really is."""
    option: str          # "--save-estate", or a description such as "--findings-json (default)"
    path: Path           # absolute, as the writer or reader will open it

    @property
    def real(self) -> Path:
        return Path(os.path.realpath(self.path))


def same_file(a: Path, b: Path) -> bool:
    """The same file: one real path (symlinks and ``..`` resolved), or one inode (hard links)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:            # one of them does not exist (yet): only the real paths could tell
        return False


def _where(named: Named) -> str:
    real = named.real
    return str(named.path) if real == named.path else f"{named.path} (which leads to {real})"


def problem(output: Named, inputs: Iterable[Named] = (), others: Iterable[Named] = (),
            needs_folder: bool = True) -> str | None:
    """Why ``output`` cannot be written, as the end of a sentence naming it; None when it can.

    ``needs_folder``: the writer replaces the file (a temporary file in its folder, then a
    rename), so the folder must be writable even when the file exists.
    """
    real = output.real
    try:
        st = os.stat(real)
    except (FileNotFoundError, NotADirectoryError):     # new, or under a file: the folder check says which
        st = None
    except OSError as exc:       # a symlink loop, no permission to look
        return f"cannot be resolved ({exc.strerror or exc}); check the path"
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            return (f"is {kind_of(st.st_mode)}, not a regular file: amaaudit writes only regular files (a new one, "
                    "or one it replaces); name one")
        if not os.access(real, os.W_OK):
            return "exists and cannot be written (no write permission); name a file you can write"
    folder = _existing_ancestor(real.parent)
    if folder is None or not folder.is_dir():
        return f"cannot be created: {folder or real.parent} is not a folder; name a path in a folder"
    if (st is None or needs_folder) and not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot be created: the folder {folder} is not writable; name a path in a folder you can write"
    for source in inputs:
        if same_file(real, source.path):
            return (f"is the same file as {source.option} {_where(source)}, which this run reads: writing it would "
                    "overwrite that input; write the output somewhere else")
    for other in others:
        if same_file(real, other.path):
            return (f"is the same file as {other.option} {_where(other)}: one output would overwrite the other; "
                    "give each output its own file")
    return None


def _existing_ancestor(folder: Path) -> Path | None:
    """The folder itself, or its nearest ancestor that exists (mkdir would create the rest)."""
    for candidate in (folder, *folder.parents):
        if os.path.lexists(candidate):
            return candidate
    return None


def write_atomically(path: str | os.PathLike[str], write: Callable[[TextIO], None], *, new_mode: int) -> Path:
    """Write a text file whole or not at all, through symlinks, keeping the replaced file's mode.

    ``write(fh)`` writes the content. A new file gets ``new_mode`` (umask aside: the mode is the
    promise). Anything that is not a regular file is refused (:class:`NotARegularFile`), never
    replaced. Returns the path written (the symlink's target, for a link).
    """
    target = Path(os.path.realpath(path))
    try:
        st = os.stat(target)
    except FileNotFoundError:
        mode = new_mode
    else:
        if not stat.S_ISREG(st.st_mode):
            raise NotARegularFile(errno.EINVAL, f"is {kind_of(st.st_mode)}, not a regular file", str(path))
        mode = stat.S_IMODE(st.st_mode)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as fh:
            os.fchmod(fh.fileno(), mode)
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    _sync_folder(target.parent)
    return target


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (best effort: not every file system lets a folder be fsynced)."""
    try:
        handle = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)
