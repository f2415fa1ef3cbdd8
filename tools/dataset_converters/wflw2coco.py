"""Convert the raw WFLW lists to mmpose-style COCO json files.

Usage::

    python tools/dataset_converters/wflw2coco.py ANNOTATION_DIR IMAGE_ROOT \
        OUT_DIR

``ANNOTATION_DIR`` holds (possibly in sub-folders)
``list_98pt_rect_attr_train.txt`` and ``list_98pt_rect_attr_test.txt``;
``IMAGE_ROOT`` is ``WFLW_images/``. Writes ``wflw_train.json``,
``wflw_test.json`` and ``wflw_test_<attribute>.json`` for the six attributes
(pose, expression, illumination, makeup, occlusion, blur). Image file names
are relative to ``IMAGE_ROOT``; every face lists its subsets (split and
flagged attributes).
"""
import sys
from typing import List, Optional

from sht.datasets.converters import (convert_splits, converter_parser,
                                     parse_converter_args)
from sht.datasets.errors import run_cli
from sht.datasets.layouts import collect_wflw, find_wflw_list
from sht.datasets.readers import WFLW_ATTRIBUTES


def main(argv: Optional[List[str]] = None) -> List[str]:
    """Run the conversion; return the written json paths."""
    args = parse_converter_args(
        converter_parser(__doc__,
                         ('annotation_dir', 'WFLW_annotations folder'),
                         ('image_root', 'WFLW_images folder'),
                         ('out_dir', 'folder for the json files')), argv,
        bad='lines')
    return convert_splits(
        'WFLW', ('train', 'test'),
        lambda split, policy: collect_wflw(
            find_wflw_list(args.annotation_dir, split), args.image_root,
            split, policy, check_images=True, show_progress=True),
        args.skip_invalid, args.out_dir, 'wflw',
        lambda split: WFLW_ATTRIBUTES if split == 'test' else ())


if __name__ == '__main__':
    sys.exit(run_cli(main))
