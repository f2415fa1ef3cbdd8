"""Convert the raw 300W layout to mmpose-style COCO json files.

Usage::

    python tools/dataset_converters/300w2coco.py RAW_ROOT OUT_DIR

``RAW_ROOT`` holds ``afw/``, ``helen/{trainset,testset}/``,
``lfpw/{trainset,testset}/``, ``ibug/`` (and optionally the private test set
in ``300W/01_Indoor``, ``300W/02_Outdoor``). Writes ``300w_train.json``,
``300w_common.json``, ``300w_challenging.json``, ``300w_full.json`` and,
when the private set is present, ``300w_test.json``. Image file names are
relative to ``RAW_ROOT``; keypoints are 0-based (the ``.pts`` values minus
1); every face lists its subsets (``train``; ``common``/``challenging`` and
``full``; ``test`` and ``indoor``/``outdoor``).
"""
import argparse
import os.path as osp
import sys
from typing import List, Optional

from sht.datasets.coco_format import write_coco_json
from sht.datasets.errors import InvalidSamplePolicy, run_cli
from sht.datasets.layouts import collect_300w, has_private_test

SPLITS = ('train', 'common', 'challenging', 'full')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('raw_root', help='300W root folder')
    parser.add_argument('out_dir', help='folder for the json files')
    parser.add_argument(
        '--skip-invalid',
        action='store_true',
        help='skip bad samples (and list them) instead of stopping')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> List[str]:
    """Run the conversion; return the written json paths."""
    args = parse_args(argv)
    splits = list(SPLITS)
    if has_private_test(args.raw_root):
        splits.append('test')
    written = []
    for split in splits:
        policy = InvalidSamplePolicy(args.skip_invalid)
        coco = collect_300w(
            args.raw_root, split, policy, check_images=True,
            show_progress=True)
        policy.report(f'300W {split}')
        path = write_coco_json(coco,
                               osp.join(args.out_dir, f'300w_{split}.json'))
        print(f'{path}: {len(coco["annotations"])} faces')
        written.append(path)
    return written


if __name__ == '__main__':
    sys.exit(run_cli(main))
