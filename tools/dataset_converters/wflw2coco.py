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
import argparse
import copy
import os.path as osp
import sys
from typing import List, Optional

from sht.datasets.coco_format import write_coco_json
from sht.datasets.errors import InvalidSamplePolicy, run_cli
from sht.datasets.layouts import collect_wflw, find_wflw_list
from sht.datasets.readers import WFLW_ATTRIBUTES


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('annotation_dir', help='WFLW_annotations folder')
    parser.add_argument('image_root', help='WFLW_images folder')
    parser.add_argument('out_dir', help='folder for the json files')
    parser.add_argument(
        '--skip-invalid',
        action='store_true',
        help='skip bad lines (and list them) instead of stopping')
    return parser.parse_args(argv)


def subset_of(coco: dict, subset: str) -> dict:
    """The faces of ``coco`` that belong to ``subset`` (and their images)."""
    anns = [a for a in coco['annotations'] if subset in a['subsets']]
    image_ids = {a['image_id'] for a in anns}
    out = copy.copy(coco)
    out['annotations'] = anns
    out['images'] = [img for img in coco['images'] if img['id'] in image_ids]
    return out


def main(argv: Optional[List[str]] = None) -> List[str]:
    """Run the conversion; return the written json paths."""
    args = parse_args(argv)
    written = []
    for split in ('train', 'test'):
        policy = InvalidSamplePolicy(args.skip_invalid)
        list_file = find_wflw_list(args.annotation_dir, split)
        coco = collect_wflw(list_file, args.image_root, split, policy,
                            check_images=True, show_progress=True)
        policy.report(f'WFLW {split}')
        outputs = {f'wflw_{split}.json': coco}
        if split == 'test':
            for attribute in WFLW_ATTRIBUTES:
                outputs[f'wflw_test_{attribute}.json'] = subset_of(
                    coco, attribute)
        for name, data in outputs.items():
            path = write_coco_json(data, osp.join(args.out_dir, name))
            print(f'{path}: {len(data["annotations"])} faces')
            written.append(path)
    return written


if __name__ == '__main__':
    sys.exit(run_cli(main))
