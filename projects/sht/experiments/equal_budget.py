"""SHT against its equal-budget control, with the paper's baselines.

Every arm is a run of a config in the demo's config folder:

- ``pretrain``: phases 1-2 of ``sht_synthetic.py`` (DHLN, then FPTN on
  ground-truth heatmaps with DHLN frozen);
- ``sht``: phases 3-4 from the phase-2 checkpoint
  (``sht_synthetic_finetune.py``), one run per seed;
- ``control``: the same phases, data, iterations and learning rates without
  FPTN (``dhln_synthetic_continued.py``), one run per seed;
- ``shn`` / ``fhs``: the hourglass alone on the HR face / the face
  hallucination stream alone, phase 1's budget (optional).

A seed changes the fine-tuning runs only (data order, pair views); all of
them start from the same phase-2 weights, so SHT and its control differ in
FPTN alone, and their per-face NMEs pair up.
"""
import os.path as osp
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmpose.registry import MODELS

from ..evaluation.checkpoint_eval import evaluate, metric_row, model_predictor
from ..evaluation.functional import mean_std, paired_bootstrap
from ..evaluation.transfer import evaluate_transfer
from .runs import (checkpoint_path, load_run_config, phase_ends,
                   phase_iters_arg, train_run)

ARMS = {
    'pretrain': 'sht_synthetic.py',
    'sht': 'sht_synthetic_finetune.py',
    'control': 'dhln_synthetic_continued.py',
    'shn': 'shn_synthetic.py',
    'fhs': 'fhs_synthetic.py',
}
TITLES = {
    'dhln': 'DHLN (phase 1)',
    'shn': 'SHN (hourglass alone, HR input; phase 1 budget)',
    'fhs': 'FHS (SR stream alone; phase 1 budget)',
    'sht/sht': 'SHT (phase 3)',
    'control/sht': 'DHLN continued, same budget, no FPTN (phase 3)',
    'sht/sht_weak': 'SHT + unlabeled video (phase 4)',
    'control/sht_weak': 'DHLN continued + unlabeled video, Eq. 10 SR terms, '
    'no FPTN (phase 4)',
}


@dataclass
class ExperimentPlan:
    """Which runs, where, how long.

    Attributes:
        config_dir (str): Folder of the demo configs (:data:`ARMS`).
        work_dir (str): One sub-folder per run.
        phase_iters (dict, optional): Phase lengths by name.
        seeds (list[int]): Seeds of the fine-tuning runs.
        baselines (bool): Train and evaluate SHN and FHS too.
    """
    config_dir: str
    work_dir: str
    phase_iters: Optional[Dict[str, int]] = None
    seeds: Sequence[int] = (0, )
    baselines: bool = True
    _configs: Dict[str, Config] = field(default_factory=dict, repr=False)

    def config(self, arm: str, seed: Optional[int] = None) -> Config:
        """The run config of ``arm`` (``'sht'``/``'control'`` per seed)."""
        key = arm if seed is None else f'{arm}/seed{seed}'
        if key in self._configs:
            return self._configs[key]
        path = osp.join(self.config_dir, ARMS[arm])
        work_dir = osp.join(self.work_dir, key.replace('/', '_'))
        if arm == 'pretrain':
            cfg = load_run_config(path, work_dir, self.phase_iters,
                                  stop_after='fptn')
        elif arm in ('sht', 'control'):
            cfg = load_run_config(path, work_dir, self.phase_iters,
                                  load_from=self.pretrained(), seed=seed)
        else:
            cfg = load_run_config(path, work_dir, self.phase_iters)
        self._configs[key] = cfg
        return cfg

    def pretrained(self) -> str:
        """The phase-2 checkpoint every fine-tuning run starts from."""
        cfg = self.config('pretrain')
        return checkpoint_path(cfg, phase_ends(cfg)[-1][1])

    def runs(self) -> List[Config]:
        """Every run, the pre-training first."""
        cfgs = [self.config('pretrain')]
        if self.baselines:
            cfgs += [self.config('shn'), self.config('fhs')]
        for seed in self.seeds:
            cfgs += [self.config('sht', seed), self.config('control', seed)]
        return cfgs


def plan_from_args(args, seeds: Sequence[int],
                   baselines: bool) -> ExperimentPlan:
    """The plan of a command line (``args.config_dir``, ``args.work_dir``,
    ``args.phase_iters``), after setting torch's CPU threads
    (``args.threads``) and mmpose's default scope."""
    torch.set_num_threads(args.threads)
    init_default_scope('mmpose')
    return ExperimentPlan(args.config_dir, osp.abspath(args.work_dir),
                          phase_iters_arg(args.phase_iters), seeds=list(seeds),
                          baselines=baselines)


def train_arms(plan: ExperimentPlan, force: bool = False) -> Dict[str, float]:
    """Train every run of the plan that lacks its checkpoints; seconds per
    run work dir."""
    return {cfg.work_dir: train_run(cfg, force) for cfg in plan.runs()}


def _load(model, path: str):
    load_checkpoint(model, path, map_location='cpu', logger='silent')
    return model.eval()


def evaluate_arms(plan: ExperimentPlan, batches: List[dict],
                  pair_batches: List[dict], dataset_meta: dict,
                  threshold: float, num_show: int = 0) -> dict:
    """Evaluate every phase-end checkpoint of the plan.

    Args:
        plan (ExperimentPlan): Trained runs.
        batches (list[dict]): Cached test batches (single faces).
        pair_batches (list[dict]): Cached pairs of test views for FPTN.
        dataset_meta (dict): Test set metainfo.
        threshold (float): AUC / FR threshold of the table.
        num_show (int): Faces kept per checkpoint for the pictures.

    Returns:
        dict: ``rows`` (table rows by key), ``nme`` (per-face NME_io by key),
        ``records`` (faces to draw by key), ``transfer`` (FPTN vs identity
        on the test pairs) and ``fptn_model`` (the phase-2 model).
    """
    out = dict(rows={}, nme={}, records={})
    def run(key: str, cfg: Config, path: str, title: str, model=None):
        model = _load(model or MODELS.build(cfg.model), path)
        metrics, nme, records = evaluate(
            model_predictor(model), batches, cfg.test_evaluator,
            dataset_meta, key, num_show)
        out['rows'][key] = metric_row(title, metrics, threshold)
        out['nme'][key] = nme
        out['records'][key] = records
        return model

    pre = plan.config('pretrain')
    (_, end1), (_, end2) = phase_ends(pre)[:2]
    model = run('dhln', pre, checkpoint_path(pre, end1), TITLES['dhln'])
    _load(model, checkpoint_path(pre, end2))
    out['transfer'] = evaluate_transfer(model, pair_batches)
    out['fptn_model'] = model
    if plan.baselines:
        for arm in ('shn', 'fhs'):
            cfg = plan.config(arm)
            run(arm, cfg, checkpoint_path(cfg, phase_ends(cfg)[-1][1]),
                TITLES[arm])
    for seed in plan.seeds:
        for arm in ('sht', 'control'):
            cfg = plan.config(arm, seed)
            for phase, end in phase_ends(cfg):
                key = f'{arm}/{phase}/seed{seed}'
                run(key, cfg, checkpoint_path(cfg, end),
                    TITLES[f'{arm}/{phase}'])
    return out


def paired_rows(nme: Dict[str, np.ndarray], seeds: Sequence[int],
                phases: Sequence[str] = ('sht', 'sht_weak')) -> List[dict]:
    """SHT against its control per phase: NME_io (%) mean +- std over
    seeds for both, and the paired per-face difference (SHT - control,
    each face's NME averaged over the seeds first) with its 95% bootstrap
    interval."""
    rows = []
    for phase in phases:
        sht = [nme[f'sht/{phase}/seed{s}'] for s in seeds]
        ctl = [nme[f'control/{phase}/seed{s}'] for s in seeds]
        diff = paired_bootstrap(np.mean(sht, axis=0), np.mean(ctl, axis=0))
        rows.append(dict(
            phase=phase,
            sht=mean_std([100 * x.mean() for x in sht]),
            control=mean_std([100 * x.mean() for x in ctl]),
            per_seed_diff=[100 * float((a - b).mean())
                           for a, b in zip(sht, ctl)],
            **{k: 100 * v if k.startswith(('mean', 'ci')) else v
               for k, v in diff.items()}))
    return rows


def seeded(seed: int) -> None:
    """Seed numpy and torch (the test pairs' random views)."""
    np.random.seed(seed)
    torch.manual_seed(seed)
