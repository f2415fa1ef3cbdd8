"""The command-line side of ``tools/dataset_converters/*2coco.py``: their
argument parsing, per-split conversion loop and json writing."""
import argparse
import os.path as osp
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .coco_format import write_coco_json
from .errors import InvalidSamplePolicy


def converter_parser(doc: str,
                     *positionals: Tuple[str, str]) -> argparse.ArgumentParser:
    """A parser described by the first line of a converter's ``doc`` with
    the positional arguments ``positionals`` ((name, help) pairs)."""
    parser = argparse.ArgumentParser(description=doc.split('\n')[0])
    for name, help_text in positionals:
        parser.add_argument(name, help=help_text)
    return parser


def parse_converter_args(parser: argparse.ArgumentParser,
                         argv: Optional[List[str]] = None,
                         bad: str = 'samples') -> argparse.Namespace:
    """Add every converter's last option, ``--skip-invalid`` (skip the
    ``bad`` entries instead of stopping), and parse ``argv``."""
    parser.add_argument(
        '--skip-invalid',
        action='store_true',
        help=f'skip bad {bad} (and list them) instead of stopping')
    return parser.parse_args(argv)


def subset_of(coco: dict, subset: str) -> dict:
    """The faces of ``coco`` that belong to ``subset`` (and their images)."""
    anns = [a for a in coco['annotations'] if subset in a['subsets']]
    image_ids = {a['image_id'] for a in anns}
    return dict(
        coco,
        annotations=anns,
        images=[img for img in coco['images'] if img['id'] in image_ids])


def write_subsets(coco: dict, out_dir: str,
                  outputs: Dict[str, Optional[str]]) -> List[str]:
    """Write ``out_dir/<name>`` for each ``name: subset`` of ``outputs``:
    the faces of ``coco`` in ``subset`` (all of them for ``None``). Print
    each file's face count; return the written paths."""
    written = []
    for name, subset in outputs.items():
        data = coco if subset is None else subset_of(coco, subset)
        path = write_coco_json(data, osp.join(out_dir, name))
        print(f'{path}: {len(data["annotations"])} faces')
        written.append(path)
    return written


def convert_splits(
    label: str,
    splits: Iterable[str],
    collect: Callable[[str, InvalidSamplePolicy], dict],
    skip_invalid: bool,
    out_dir: str,
    prefix: str,
    subsets: Callable[[str], Sequence[str]] = lambda split: ()
) -> List[str]:
    """Convert each split: ``collect(split, policy)`` under a fresh
    :class:`InvalidSamplePolicy` (reported as ``<label> <split>``), written
    to ``<prefix>_<split>.json`` and, for each of ``subsets(split)``, its
    faces of that subset to ``<prefix>_<split>_<subset>.json``. Return the
    written paths."""
    written = []
    for split in splits:
        policy = InvalidSamplePolicy(skip_invalid)
        coco = collect(split, policy)
        policy.report(f'{label} {split}')
        outputs = {f'{prefix}_{split}.json': None}
        outputs.update({
            f'{prefix}_{split}_{subset}.json': subset
            for subset in subsets(split)
        })
        written += write_subsets(coco, out_dir, outputs)
    return written
