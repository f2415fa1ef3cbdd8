"""Convert the raw CelebA lists to COCO-style json files (5 landmarks).

Usage::

    python tools/dataset_converters/celeba2coco.py CELEBA_ROOT OUT_DIR \
        [--in-the-wild] [--box-source landmarks|bbox]

``CELEBA_ROOT`` holds ``img_align_celeba/`` (or ``img_celeba/``) and the
list files (flat, or in ``Anno/`` and ``Eval/``). Writes
``celeba_train.json``, ``celeba_val.json`` and ``celeba_test.json`` (or
``celeba_all.json`` without ``list_eval_partition.txt``). Each face keeps
CelebA's 5 landmarks (0-based, as listed) and a square box from them (or
from ``list_bbox_celeba.txt``); unlabeled use needs only the box.
"""
import sys
from typing import List, Optional

from sht.datasets.converters import (convert_splits, converter_parser,
                                     parse_converter_args)
from sht.datasets.errors import run_cli
from sht.datasets.layouts.celeba import collect_celeba, find_celeba_file


def main(argv: Optional[List[str]] = None) -> List[str]:
    """Run the conversion; return the written json paths."""
    parser = converter_parser(__doc__, ('celeba_root', 'CelebA root folder'),
                              ('out_dir', 'folder for the json files'))
    parser.add_argument(
        '--in-the-wild',
        action='store_true',
        help='use img_celeba/ and list_landmarks_celeba.txt')
    parser.add_argument(
        '--box-source',
        choices=('landmarks', 'bbox'),
        default='landmarks',
        help='box from the 5 landmarks, or list_bbox_celeba.txt')
    args = parse_converter_args(parser, argv)
    has_partition = find_celeba_file(
        args.celeba_root, 'list_eval_partition.txt', ('Eval', ),
        required=False) is not None
    return convert_splits(
        'CelebA', ['train', 'val', 'test'] if has_partition else ['all'],
        lambda split, policy: collect_celeba(
            args.celeba_root, split, not args.in_the_wild, args.box_source,
            policy, check_images=True, show_progress=True), args.skip_invalid,
        args.out_dir, 'celeba')


if __name__ == '__main__':
    sys.exit(run_cli(main))
