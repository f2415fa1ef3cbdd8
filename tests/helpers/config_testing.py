"""Shared code of the config tests: the metafile and flattened configs (the
tiny datasets the row configs read: :mod:`helpers.fixture_sets`)."""
import functools
import os.path as osp
from typing import Any, Dict, Iterator, List, Tuple

import yaml
from mmengine.config import Config
from sht.engine.loops import run_phase_specs

from helpers import REPO_ROOT
from helpers.fixture_sets import DATA_ROOTS

CONFIG_ROOT = osp.join(REPO_ROOT, 'configs', 'sht')
METAFILE = osp.join(CONFIG_ROOT, 'metafile.yml')

# ---------------------------------------------------------------- configs
def load_metafile() -> List[dict]:
    """The ``Models`` entries of ``configs/sht/metafile.yml``."""
    with open(METAFILE) as f:
        return yaml.safe_load(f)['Models']


def config_path(entry: dict) -> str:
    """Absolute path of a metafile entry's config."""
    return osp.join(REPO_ROOT, entry['Config'])


@functools.lru_cache(maxsize=None)
def load_config(path: str) -> Config:
    """``Config.fromfile(path)``, loaded once per pytest run (callers
    must not modify it)."""
    return Config.fromfile(path)


def load_row(name: str) -> Config:
    """The row config called ``name`` (found through the metafile)."""
    for entry in load_metafile():
        if entry['Name'] == name:
            return load_config(config_path(entry))
    raise KeyError(f'{name} is not in {METAFILE}')


def flatten(obj: Any, prefix: str = '') -> Dict[str, Any]:
    """A nested config as ``{dotted.key: leaf}``; list items are keyed by
    their index (``custom_hooks.0.type``), empty containers are leaves."""
    if isinstance(obj, dict) and obj:
        out = {}
        for key in obj:
            out.update(
                flatten(obj[key], f'{prefix}.{key}' if prefix else str(key)))
        return out
    if isinstance(obj, (list, tuple)) and obj:
        out = {}
        for i, item in enumerate(obj):
            out.update(flatten(item, f'{prefix}.{i}'))
        return out
    return {prefix: obj}


def flat_config(cfg: Any) -> Dict[str, Any]:
    """A whole config (or a part of one), flattened (see :func:`flatten`).
    """
    return flatten(cfg.to_dict() if hasattr(cfg, 'to_dict') else cfg)


def config_diff(child: Any, parent: Any) -> Dict[str, Tuple]:
    """``{key: (child value, parent value)}`` for every flattened key whose
    value differs or that only one of the two has (``'<absent>'``)."""
    a, b = flat_config(child), flat_config(parent)
    missing = '<absent>'
    return {
        key: (a.get(key, missing), b.get(key, missing))
        for key in sorted(set(a) | set(b))
        if a.get(key, missing) != b.get(key, missing)
    }


def dataloader_configs(cfg: Config) -> Iterator[Tuple[str, dict]]:
    """(where, dataloader config) for the runner's dataloaders and every
    phase the run trains (``start_phase`` to ``end_phase``) that brings its
    own."""
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        if cfg.get(key):
            yield key, cfg[key]
    train_cfg = cfg.get('train_cfg') or {}
    trained = run_phase_specs(train_cfg) if 'phases' in train_cfg else []
    for j, phase in enumerate(train_cfg.get('phases', [])):
        if phase in trained and phase.get('train_dataloader'):
            yield (f'train_cfg.phases.{j}.train_dataloader',
                   phase_dataloader(cfg, phase))


def phase_dataloader(cfg: Config, phase: dict) -> dict:
    """A phase's own dataloader config: given in the phase, or the name of
    a top-level entry of the config (as SHTTrainLoop resolves it)."""
    loader = phase['train_dataloader']
    if isinstance(loader, str):
        assert isinstance(cfg.get(loader), dict), \
            f'phase {phase["name"]}: no dataloader "{loader}" in the config'
        return cfg[loader]
    return loader


def data_roots(obj: Any) -> List[str]:
    """Every ``data_root`` value in a (nested) config."""
    return [
        v for k, v in flatten(obj).items()
        if k == 'data_root' or k.endswith('.data_root')
    ]


def with_data_roots(obj: Any, fixtures: Dict[str, str]) -> Any:
    """A copy of a (nested) config with each ``data_root`` replaced by its
    fixture folder."""
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if key == 'data_root':
                out[key] = fixtures[DATA_ROOTS[value]]
            else:
                out[key] = with_data_roots(value, fixtures)
        return out
    if isinstance(obj, (list, tuple)):
        return type(obj)(with_data_roots(v, fixtures) for v in obj)
    return obj


def metric_types(evaluator: Any) -> List[str]:
    """Metric types of an evaluator config (a dict or a list of them)."""
    items = evaluator if isinstance(evaluator, (list, tuple)) else [evaluator]
    return [m['type'] for m in items]
