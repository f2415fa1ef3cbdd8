# Publish an SHT training checkpoint for inference (mmpose's publish tool):
# keep only `meta` and the DHLN weights, drop the optimizer states, the
# message hub, the schedulers and every training-only FPTN entry (generator,
# discriminators D_A / D_S, frozen VGG), then write
# OUT_FILE-<first 8 hex digits of its sha256>.pth.
#
# Keys written under a distributed wrapper per sub-network
# (`backbone.module.*`) are published as `backbone.*`. The kept weights are
# checked against the inference model of the checkpoint's own config (its
# `meta.cfg`, or --config): a missing or unexpected key is an error naming
# the file and a few keys.
#
#   python tools/misc/publish_model.py work_dirs/sht/iter_100000.pth \
#       sht_dhln_300w.pth
import argparse
import hashlib
import os
import os.path as osp
import sys
import tempfile
from typing import Dict, List, Optional, Sequence, Tuple

sys.path.insert(
    0, osp.join(osp.dirname(osp.abspath(__file__)), '..', '..', 'projects'))
import sht  # noqa: E402,F401  (registers the models)
import torch  # noqa: E402
from sht.engine.checkpoint_keys import (  # noqa: E402
    OPTIONAL_PREFIXES, CheckpointKeysError, check_loaded_keys, key_mismatch,
    strip_wrapper_segments)

# checkpoint entries an inference model needs (mmpose keeps the same two)
PUBLISHED_KEYS = ('meta', 'state_dict')
# state_dict prefixes of training-only modules: FPTN's generator, D_A, D_S
# and losses (generator.*, discriminator_a.*, ...; older fptn.*)
TRAINING_ONLY_PREFIXES = OPTIONAL_PREFIXES


def strip_checkpoint(
    checkpoint: Dict,
    published_keys: Sequence[str] = PUBLISHED_KEYS,
    drop_prefixes: Sequence[str] = TRAINING_ONLY_PREFIXES,
    source: str = 'checkpoint'
) -> Tuple[Dict, List[str], List[str]]:
    """Remove what inference does not use from a training checkpoint.

    Args:
        checkpoint (dict): A checkpoint saved by mmengine's Runner
            (``meta``, ``state_dict``, ``optimizer``, ``message_hub``, ...).
        published_keys (Sequence[str]): Top-level entries to keep.
        drop_prefixes (Sequence[str]): ``state_dict`` entries starting with
            one of these are removed (training-only modules).
        source (str): Name of the checkpoint for error messages.

    Returns:
        tuple: (the stripped checkpoint, removed top-level keys, removed
        ``state_dict`` keys).
    """
    if not isinstance(checkpoint, dict) or 'state_dict' not in checkpoint:
        found = (sorted(checkpoint) if isinstance(checkpoint, dict) else
                 type(checkpoint).__name__)
        raise ValueError(f'{source}: expected a training checkpoint (a dict '
                         f'with "state_dict"), found {found}')
    removed_keys = [key for key in checkpoint if key not in published_keys]
    state_dict = type(checkpoint['state_dict'])(checkpoint['state_dict'])
    strip_wrapper_segments(state_dict)  # backbone.module.* -> backbone.*
    removed_weights = [
        name for name in state_dict
        if any(name.startswith(prefix) for prefix in drop_prefixes)
    ]
    dropped = set(removed_weights)
    kept_weights = type(state_dict)(
        (name, value) for name, value in state_dict.items()
        if name not in dropped)
    published = {
        key: value
        for key, value in checkpoint.items() if key in published_keys
    }
    published['state_dict'] = kept_weights
    return published, removed_keys, removed_weights


def file_sha256(path: str) -> str:
    """Hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        for block in iter(lambda: f.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def inference_model_shapes(config: str) -> Tuple[str, Dict[str, tuple]]:
    """State-dict keys and shapes of the inference model (``train_cfg=None``,
    as ``init_model`` builds it) of a config.

    Args:
        config (str): A config file, or a config's text (``meta.cfg`` of a
            checkpoint written by mmengine's Runner).

    Returns:
        tuple: (the model's type name, its state-dict key -> shape).
    """
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    if osp.isfile(config):
        cfg = Config.fromfile(config)
    else:  # a saved config's text; its custom_imports are not needed here
        with tempfile.TemporaryDirectory() as folder:
            path = osp.join(folder, 'saved_config.py')
            with open(path, 'w') as f:
                f.write(config)
            cfg = Config.fromfile(path, import_custom_modules=False)
    init_default_scope(cfg.get('default_scope', None) or 'mmpose')
    model_cfg = cfg.model
    model_cfg.train_cfg = None
    model = MODELS.build(model_cfg)
    return type(model).__name__, {
        key: tuple(value.shape)
        for key, value in model.state_dict().items()
    }


def check_published_keys(weights: Dict, meta: Optional[Dict],
                         config: Optional[str], source: str) -> bool:
    """Check the published weights against the inference model of
    ``config`` (else of ``meta['cfg']``).

    Returns:
        bool: Whether a model was at hand to check against.

    Raises:
        CheckpointKeysError: A missing or unexpected weight, or one of
            another shape (names ``source`` and a few keys).
    """
    config = config or (meta or {}).get('cfg', None)
    if not config:
        print(f'{source}: no config (meta.cfg or --config) to build the '
              'model from; the weights are not checked')
        return False
    model_name, expected = inference_model_shapes(config)
    missing, unexpected = key_mismatch(expected, weights)
    reshaped = [
        f'{key} {tuple(value.shape)} vs {expected[key]}'
        for key, value in weights.items()
        if key in expected and tuple(value.shape) != expected[key]
    ]
    check_loaded_keys(source, missing, unexpected, model_name=model_name,
                      reshaped=reshaped)
    return True


def publish_checkpoint(in_file: str,
                       out_file: str,
                       config: Optional[str] = None) -> str:
    """Write the inference checkpoint of ``in_file``.

    Args:
        in_file (str): Training checkpoint (``.pth``).
        out_file (str): Output name; ``.pth`` is optional.
        config (str, optional): Config file of the model to check the
            weights against. Default: the checkpoint's ``meta.cfg``.

    Returns:
        str: The written file, ``<out_file without .pth>-<sha256[:8]>.pth``.

    Raises:
        CheckpointKeysError: The weights do not match the model.
    """
    if not osp.isfile(in_file):
        raise FileNotFoundError(f'{in_file}: no such checkpoint file')
    # mmengine checkpoints hold more than tensors (meta, message hub)
    checkpoint = torch.load(in_file, map_location='cpu', weights_only=False)
    published, removed_keys, removed_weights = strip_checkpoint(
        checkpoint, source=in_file)
    checked = check_published_keys(published['state_dict'],
                                   published.get('meta'), config, in_file)
    stem = out_file[:-len('.pth')] if out_file.endswith('.pth') else out_file
    out_dir = osp.dirname(osp.abspath(stem))
    os.makedirs(out_dir, exist_ok=True)
    tmp_file = stem + '.tmp.pth'
    torch.save(published, tmp_file)
    final_file = f'{stem}-{file_sha256(tmp_file)[:8]}.pth'
    os.replace(tmp_file, final_file)
    weights = published['state_dict']
    size = sum(v.numel() * v.element_size() for v in weights.values()
               if isinstance(v, torch.Tensor))
    print(f'{in_file}: removed {removed_keys or "no entries"} and '
          f'{len(removed_weights)} training-only weights '
          f'({", ".join(TRAINING_ONLY_PREFIXES)}); kept {len(weights)} '
          f'weights ({size / 2**20:.2f} MiB)'
          + ('; every weight of the inference model is present'
             if checked else ''))
    print(f'published to {final_file}')
    return final_file


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Strip an SHT training checkpoint for inference (DHLN '
        'only) and name it with its sha256')
    parser.add_argument('in_file', help='training checkpoint')
    parser.add_argument(
        'out_file', help='output name; the written file is '
        'OUT_FILE-<sha256[:8]>.pth')
    parser.add_argument(
        '--config',
        help='config of the model to check the weights against (default: '
        'the one saved in the checkpoint)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    try:
        publish_checkpoint(args.in_file, args.out_file, args.config)
    except (CheckpointKeysError, FileNotFoundError, ValueError) as error:
        raise SystemExit(f'publish_model.py: {error}')


if __name__ == '__main__':
    main()
