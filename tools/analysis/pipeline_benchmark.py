"""Throughput of the SHT pair pipeline in one process (= one dataloader
worker): pairs per second at the HR crop size, with the warps, the heatmap
targets and the bicubic LR degradation.

Each pair runs ``LoadFaceImage``, ``GetBBoxCenterScale``, ``RandomPairView``
(rotation in (-30, 30) deg, scale in (0.8, 1.2)), ``TopdownAffine``,
``GenerateTarget`` (MSRAHeatmap) and ``PackFaceInputs`` for both views
(the image of an image pair is decoded once for both views), then
``pair_collate`` and the bicubic degradation of both HR crops to the LR
input (done on the model side in training, timed here on the CPU).

Usage::

    # synthetic JPEG faces (no dataset needed)
    python tools/analysis/pipeline_benchmark.py --num-pairs 200
    # a converted dataset
    python tools/analysis/pipeline_benchmark.py \
        --data-root data/300w --ann-file annotations/300w_train.json \
        --json-out work_dirs/pipeline_benchmark.json
"""
import argparse
import os.path as osp
import platform
import tempfile
import time
from collections import OrderedDict
from typing import Dict, List, Optional

import cv2
import numpy as np
import torch
from mmpose.registry import DATASETS
from tqdm import tqdm

import sht  # noqa: F401  (registers the SHT modules)
from sht.datasets import FacePairDataset, pair_collate
from sht.datasets.coco_format import FaceCocoBuilder, write_coco_json
from sht.utils.benchmark_report import write_json_report

try:
    from sht.models.degradation import bicubic_degrade
except ImportError:  # the models package is optional for this tool

    def bicubic_degrade(hr: torch.Tensor, lr_size: int,
                        upsample_to: Optional[int] = None) -> torch.Tensor:
        """Antialiased bicubic downsampling (optionally back up)."""
        lr = torch.nn.functional.interpolate(
            hr, size=(lr_size, lr_size), mode='bicubic', align_corners=False,
            antialias=True).clamp(0, 1)
        if upsample_to:
            lr = torch.nn.functional.interpolate(
                lr, size=(upsample_to, upsample_to), mode='bicubic',
                align_corners=False).clamp(0, 1)
        return lr


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--data-root', default=None,
                        help='dataset root (default: synthetic faces)')
    parser.add_argument('--ann-file', default=None,
                        help='COCO-style json, relative to --data-root')
    parser.add_argument('--dataset-type', default='SHTFace300WDataset')
    parser.add_argument('--img-prefix', default='',
                        help="data_prefix['img'] relative to --data-root")
    parser.add_argument('--num-pairs', type=int, default=200)
    parser.add_argument('--warmup', type=int, default=10)
    parser.add_argument('--input-size', type=int, default=256,
                        help='HR crop side')
    parser.add_argument('--lr-size', type=int, default=64,
                        help='LR side after bicubic degradation')
    parser.add_argument('--lr-upsample-to', type=int, default=None,
                        help='bicubic up-sampling of the LR image (CelebA '
                        'setting: 64 with --lr-size 16)')
    parser.add_argument('--heatmap-size', type=int, default=64)
    parser.add_argument('--image-size', type=int, default=512,
                        help='side of the synthetic source images')
    parser.add_argument('--num-images', type=int, default=16,
                        help='number of synthetic source images')
    parser.add_argument('--json-out', default=None,
                        help='also write the results as json')
    parser.add_argument('--seed', type=int, default=0)
    return parser.parse_args(argv)


def synthetic_faces(folder: str, num_images: int, size: int,
                    seed: int) -> str:
    """Write JPEG faces with 68 landmarks and their json; return the json."""
    rng = np.random.default_rng(seed)
    builder = FaceCocoBuilder(68, 'synthetic pipeline benchmark faces')
    for i in range(num_images):
        noise = rng.uniform(0, 255, (size, size, 3)).astype(np.float32)
        img = cv2.GaussianBlur(noise, (0, 0), 3).astype(np.uint8)
        name = f'face_{i:03d}.jpg'
        cv2.imwrite(osp.join(folder, name), img,
                    [cv2.IMWRITE_JPEG_QUALITY, 95])
        side = size * rng.uniform(0.35, 0.6)
        center = size / 2 + rng.uniform(-0.1, 0.1, 2) * size
        kpts = center + rng.uniform(-0.5, 0.5, (68, 2)) * side
        image_id = builder.add_image(name, size, size)
        low, high = kpts.min(0), kpts.max(0)
        builder.add_face(image_id, (low + high) / 2,
                         float(np.ceil((high - low).max())), kpts,
                         ('train', ))
    return write_coco_json(builder.to_dict(),
                           osp.join(folder, 'synthetic.json'))


def view_pipeline(input_size: int, heatmap_size: int) -> List[dict]:
    codec = dict(
        type='MSRAHeatmap',
        input_size=(input_size, input_size),
        heatmap_size=(heatmap_size, heatmap_size),
        sigma=2)
    return [
        dict(type='LoadFaceImage'),
        dict(type='GetBBoxCenterScale'),
        dict(type='RandomPairView'),
        dict(type='TopdownAffine', input_size=(input_size, input_size)),
        dict(type='GenerateTarget', encoder=codec),
        dict(type='PackFaceInputs'),
    ]


class TimedPairs(FacePairDataset):
    """FacePairDataset that times each transform of the view pipeline."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seconds: Dict[str, float] = OrderedDict(
            (type(t).__name__, 0.0) for t in self.pipeline.transforms)

    def apply_transforms(self, transforms, results: dict) -> dict:
        for transform in transforms:
            start = time.perf_counter()
            results = transform(results)
            self.seconds[type(transform).__name__] += \
                time.perf_counter() - start
        return results


def run(args: argparse.Namespace) -> dict:
    torch.set_num_threads(1)  # one dataloader worker
    cv2.setNumThreads(0)
    np.random.seed(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        if args.data_root is None:
            ann_file = synthetic_faces(tmp, args.num_images, args.image_size,
                                       args.seed)
            data_root, source = tmp, (
                f'synthetic: {args.num_images} JPEG images '
                f'{args.image_size}x{args.image_size}')
        else:
            ann_file, data_root = args.ann_file, args.data_root
            source = osp.join(data_root, ann_file)
        faces = DATASETS.build(
            dict(
                type=args.dataset_type,
                data_root=data_root,
                ann_file=ann_file,
                data_prefix=dict(img=args.img_prefix)))
        pairs = TimedPairs(
            faces, view_pipeline(args.input_size, args.heatmap_size))
        for i in range(args.warmup):
            pair_collate([pairs[i % len(pairs)]])
        for key in pairs.seconds:
            pairs.seconds[key] = 0.0
        other = OrderedDict(pair_collate=0.0, bicubic_degrade=0.0)
        start_all = time.perf_counter()
        for i in tqdm(range(args.num_pairs), desc='pairs', unit='pair'):
            batch_item = pairs[i % len(pairs)]
            start = time.perf_counter()
            batch = pair_collate([batch_item])
            other['pair_collate'] += time.perf_counter() - start
            start = time.perf_counter()
            hr = torch.stack(batch['inputs']).float().flip(1) / 255.0
            bicubic_degrade(hr, args.lr_size, args.lr_upsample_to)
            other['bicubic_degrade'] += time.perf_counter() - start
        total = time.perf_counter() - start_all
    stages = OrderedDict(pairs.seconds)
    stages.update(other)
    return dict(
        source=source,
        input_size=args.input_size,
        lr_size=args.lr_size,
        heatmap_size=args.heatmap_size,
        num_pairs=args.num_pairs,
        seconds=total,
        pairs_per_second=args.num_pairs / total,
        ms_per_pair={k: 1000 * v / args.num_pairs
                     for k, v in stages.items()},
        cpu=platform.processor() or platform.machine(),
        torch_threads=torch.get_num_threads())


def print_table(result: dict) -> None:
    print(f'\nPair pipeline, one worker ({result["cpu"]}, '
          f'{result["torch_threads"]} torch thread), {result["source"]}')
    print(f'HR {result["input_size"]}x{result["input_size"]} -> LR '
          f'{result["lr_size"]}x{result["lr_size"]}, heatmaps '
          f'{result["heatmap_size"]}x{result["heatmap_size"]}\n')
    per_pair = sum(result['ms_per_pair'].values())
    print(f'{"stage (both views)":<24}{"ms/pair":>10}{"share":>9}')
    print('-' * 43)
    for name, ms in result['ms_per_pair'].items():
        print(f'{name:<24}{ms:>10.2f}{100 * ms / per_pair:>8.1f}%')
    print('-' * 43)
    print(f'{"sum of stages":<24}{per_pair:>10.2f}')
    print(f'{"wall time per pair":<24}'
          f'{1000 * result["seconds"] / result["num_pairs"]:>10.2f}')
    print(f'\npairs per second per worker: {result["pairs_per_second"]:.1f}')


def main(argv: Optional[List[str]] = None) -> dict:
    args = parse_args(argv)
    result = run(args)
    print_table(result)
    if args.json_out:
        write_json_report(result, args.json_out)
        print(f'written {args.json_out}')
    return result


if __name__ == '__main__':
    main()
