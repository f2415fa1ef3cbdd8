"""Checkpoint files a run resumes from: damaged ones are named, and an
automatic resume falls back to the previous complete checkpoint.

A node that dies while ``torch.save`` writes leaves a truncated file, and a
full disk can leave an empty ``last_checkpoint``. mmengine then fails deep
in ``torch.load`` ("failed finding central directory") without naming the
file, or tries to resume from ``''``. :func:`checkpoint_damage` tells what
is wrong with a file (torch's zip format: the central directory is written
last, every record carries a CRC-32), and :func:`resolve_auto_resume` picks
the checkpoint an automatic resume should use.
"""
import logging
import os
import os.path as osp
import re
import zipfile
from typing import List, Optional, Tuple

from mmengine.logging import print_log

#: file written by mmengine's CheckpointHook next to its checkpoints
LAST_CHECKPOINT = 'last_checkpoint'
#: CheckpointHook's default names: iter_<n>.pth / epoch_<n>.pth
CHECKPOINT_NAME = re.compile(r'^(iter|epoch)_(\d+)\.pth$')
#: first bytes of a zip archive (torch.save's format since torch 1.6)
ZIP_MAGIC = b'PK\x03\x04'


class CheckpointFileError(RuntimeError):
    """A checkpoint file cannot be read (missing, empty, truncated or
    corrupt); the message names it."""


def checkpoint_damage(path: str) -> Optional[str]:
    """What is wrong with a checkpoint file, or None if it is complete.

    A file in torch's zip format is complete when its central directory is
    present and every record matches its CRC-32 (this reads the file once).
    A file in another format (e.g. torch's legacy pickle) is not checked.

    Args:
        path: A local checkpoint file.

    Returns:
        str | None: e.g. ``'is empty (0 bytes)'``, ``'is truncated (no zip
        central directory)'``, or None.
    """
    if not osp.isfile(path):
        return 'does not exist'
    size = osp.getsize(path)
    if size == 0:
        return 'is empty (0 bytes)'
    with open(path, 'rb') as f:
        if f.read(len(ZIP_MAGIC)) != ZIP_MAGIC:
            return None
    try:
        with zipfile.ZipFile(path) as archive:
            bad = archive.testzip()
    except (zipfile.BadZipFile, OSError, EOFError) as error:
        return f'is truncated or corrupt ({size} bytes; {error})'
    if bad is not None:
        return f'is corrupt (record {bad} fails its CRC check)'
    return None


def _numbered(folder: str) -> List[Tuple[str, int, str]]:
    """(kind, number, path) of the CheckpointHook files in ``folder``."""
    if not osp.isdir(folder):
        return []
    found = []
    for name in os.listdir(folder):
        match = CHECKPOINT_NAME.match(name)
        if match:
            found.append((match.group(1), int(match.group(2)),
                          osp.join(folder, name)))
    return found


def previous_complete_checkpoint(folder: str,
                                 before: Optional[str] = None
                                 ) -> Optional[str]:
    """The complete ``iter_<n>.pth`` / ``epoch_<n>.pth`` of ``folder``
    with the highest number.

    Args:
        folder: The folder the checkpoints are in.
        before: A checkpoint file; when it has such a name, only checkpoints
            of the same kind with a smaller number are considered.

    Returns:
        str | None: The path, or None when there is none.
    """
    candidates = _numbered(folder)
    match = CHECKPOINT_NAME.match(osp.basename(before)) if before else None
    if match:
        kind, number = match.group(1), int(match.group(2))
        candidates = [c for c in candidates if c[0] == kind and c[1] < number]
    # the highest number first (the newest file first among equal numbers)
    candidates.sort(key=lambda c: (c[1], osp.getmtime(c[2])), reverse=True)
    for _, _, path in candidates:
        if checkpoint_damage(path) is None:
            return path
    return None


def resolve_auto_resume(work_dir: str, named: Optional[str]) -> str:
    """The checkpoint an automatic resume (``--resume`` without a path)
    uses.

    Args:
        work_dir: The run's work dir (holds ``last_checkpoint``).
        named: What ``last_checkpoint`` names (``''`` when it is empty).

    Returns:
        str: ``named`` when it is complete; otherwise the previous complete
        checkpoint, after a warning that names the damaged file.

    Raises:
        CheckpointFileError: ``named`` is damaged (or ``last_checkpoint``
            empty) and no complete checkpoint precedes it.
    """
    last = osp.join(work_dir, LAST_CHECKPOINT)
    named = (named or '').strip()
    if not named:
        problem, folder = f'{last} is empty', work_dir
    else:
        damage = checkpoint_damage(named)
        if damage is None:
            return named
        problem = f'{named} (named by {last}) {damage}'
        folder = osp.dirname(named) or work_dir
    fallback = previous_complete_checkpoint(folder, named or None)
    if fallback is None:
        raise CheckpointFileError(
            f'{problem}, and no complete checkpoint in {folder} precedes it: '
            f'resume from a given file (--resume PATH) or remove {last} to '
            'start from scratch')
    print_log(
        f'{problem}; resuming from the previous complete checkpoint '
        f'{fallback}', logger='current', level=logging.WARNING)
    return fallback


def check_checkpoint_file(path: str) -> None:
    """Raise :class:`CheckpointFileError` naming a local checkpoint that is
    empty, truncated or corrupt (other sources, e.g. URLs, pass)."""
    if not isinstance(path, str) or '://' in path or not osp.exists(path):
        return
    damage = checkpoint_damage(path)
    if damage is not None:
        raise CheckpointFileError(f'checkpoint {path} {damage}')
