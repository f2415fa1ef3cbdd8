"""Write synthetic face datasets in the official raw layouts.

Every layout goes to ``OUT_DIR/<layout>/`` (``300w``, ``wflw``, ``celeba``,
``300vw``) with a ``synthetic_manifest.json`` holding the settings. A layout
whose manifest matches the requested settings is skipped; one written by
this tool with other settings is replaced; a non-empty folder without a
manifest is never touched.

``--num`` counts faces per 300W subset (six subsets), faces per WFLW split
(train and test), CelebA images, or 300VW videos.

``--preview PNG`` also saves a 4x4 sheet of the generator's faces for the
seed, landmarks drawn, to look at.

Example:
    python tools/misc/generate_synthetic_faces.py data/synthetic \\
        --layouts 300w wflw celeba 300vw --num 10 --seed 0
"""
import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Dict, List, Optional

import cv2
from tqdm import tqdm

from sht.synthetic import (SyntheticFaceGenerator, contact_sheet,
                           draw_landmarks, write_300vw, write_300w,
                           write_celeba, write_wflw)

LAYOUTS = ('300w', 'wflw', 'celeba', '300vw')
MANIFEST = 'synthetic_manifest.json'
FORMAT_VERSION = 1


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write synthetic faces in the raw layouts of 300W, WFLW, '
        'CelebA and 300VW.')
    parser.add_argument('out_dir', help='output folder')
    parser.add_argument('--layouts', nargs='+', choices=LAYOUTS,
                        default=list(LAYOUTS), help='layouts to write')
    parser.add_argument('--num', type=int, default=4,
                        help='faces per 300W subset / WFLW split, CelebA '
                        'images, or 300VW videos')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--size', type=int, default=256,
                        help='image side in pixels')
    parser.add_argument('--frames', type=int, nargs='+', default=[1, 50],
                        help='frames per 300VW video, cycled over the '
                        'videos (default: a 1-frame video, then 50-frame '
                        'ones)')
    parser.add_argument('--celeba-aligned', action='store_true',
                        help='write img_align_celeba/ 178x218 crops')
    parser.add_argument('--preview', metavar='PNG',
                        help='also save a 4x4 sheet of faces with landmarks')
    parser.add_argument('--force', action='store_true',
                        help='rewrite layouts this tool wrote even when the '
                        'settings match')
    args = parser.parse_args(argv)
    if args.num < 1 or args.size < 32 or min(args.frames) < 1:
        parser.error('--num and --frames must be >= 1 and --size >= 32')
    return args


def layout_settings(layout: str, args: argparse.Namespace) -> Dict:
    """Everything that determines a layout's files (kept in the manifest)."""
    settings = dict(format_version=FORMAT_VERSION, layout=layout,
                    num=args.num, seed=args.seed, size=args.size)
    if layout == '300vw':
        settings['frames'] = frame_counts(args)
    if layout == 'celeba':
        settings['aligned'] = bool(args.celeba_aligned)
    return settings


def frame_counts(args: argparse.Namespace) -> List[int]:
    return [args.frames[i % len(args.frames)] for i in range(args.num)]


def num_items(layout: str, args: argparse.Namespace) -> int:
    """Faces (or frames) a layout will render, for the progress bar."""
    return {'300w': 6 * args.num, 'wflw': 2 * args.num,
            'celeba': args.num,
            '300vw': sum(frame_counts(args))}[layout]


def write_layout(layout: str, root: Path, args: argparse.Namespace) -> int:
    """Render one layout into ``root``; returns the number of records."""
    common = dict(seed=args.seed, image_size=args.size)
    with tqdm(total=num_items(layout, args), desc=layout,
              unit='img') as bar:
        if layout == '300w':
            records = write_300w(root, args.num, progress=bar.update,
                                 **common)
        elif layout == 'wflw':
            records = write_wflw(root, args.num, progress=bar.update,
                                 **common)
        elif layout == 'celeba':
            records = write_celeba(root, args.num,
                                   aligned=args.celeba_aligned,
                                   progress=bar.update, **common)
        else:
            records = write_300vw(root, args.num, frame_counts(args),
                                  progress=bar.update, **common)
    return len(records)


def read_manifest(folder: Path) -> Optional[Dict]:
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise SystemExit(f'{path}: not a valid manifest ({err}); remove the '
                         'folder to regenerate it') from err


def generate(layout: str, out_dir: Path, args: argparse.Namespace) -> str:
    """Write one layout unless it is up to date; returns what was done."""
    target = out_dir / layout
    settings = layout_settings(layout, args)
    manifest = read_manifest(target)
    if manifest is None and target.exists() and any(target.iterdir()):
        raise SystemExit(f'{target}: exists, is not empty and has no '
                         f'{MANIFEST}; refusing to overwrite it')
    if manifest is not None and not args.force and {
            k: manifest.get(k)
            for k in settings
    } == settings:
        return 'skipped'
    partial = out_dir / f'{layout}.partial'
    if partial.exists():
        shutil.rmtree(partial)
    count = write_layout(layout, partial, args)
    (partial / MANIFEST).write_text(
        json.dumps(dict(settings, records=count), indent=2) + '\n')
    if target.exists():
        shutil.rmtree(target)
    partial.rename(target)
    return 'written'


def save_preview(path: str, seed: int, size: int) -> None:
    """Save a 4x4 sheet of faces with their 68 landmarks drawn."""
    gen = SyntheticFaceGenerator(seed, image_size=size)
    tiles = [draw_landmarks(img, lm) for img, lm, _ in
             (gen.sample() for _ in range(16))]
    if not cv2.imwrite(path, contact_sheet(tiles, cols=4)):
        raise SystemExit(f'{path}: could not write the preview image')
    print(f'preview: {path}')


def main(argv: Optional[List[str]] = None) -> int:
    args = parse_args(argv)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for layout in args.layouts:
        status = generate(layout, out_dir, args)
        print(f'{layout}: {status} ({out_dir / layout})')
    if args.preview:
        save_preview(args.preview, args.seed, args.size)
    return 0


if __name__ == '__main__':
    sys.exit(main())
