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
import sys
from typing import List, Optional

from sht.datasets.converters import (convert_splits, converter_parser,
                                     parse_converter_args)
from sht.datasets.errors import run_cli
from sht.datasets.layouts import collect_300w, has_private_test

SPLITS = ('train', 'common', 'challenging', 'full')


def main(argv: Optional[List[str]] = None) -> List[str]:
    """Run the conversion; return the written json paths."""
    args = parse_converter_args(
        converter_parser(__doc__, ('raw_root', '300W root folder'),
                         ('out_dir', 'folder for the json files')), argv)
    splits = list(SPLITS)
    if has_private_test(args.raw_root):
        splits.append('test')
    return convert_splits(
        '300W', splits,
        lambda split, policy: collect_300w(
            args.raw_root, split, policy, check_images=True,
            show_progress=True), args.skip_invalid, args.out_dir, '300w')


if __name__ == '__main__':
    sys.exit(run_cli(main))
