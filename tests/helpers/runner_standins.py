"""A tiny estimator with SHTEstimator's parameter names and a real mmengine
Runner around it, for the train-loop tests (CPU, about a second a run)."""
import math
import uuid
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch import nn

PAPER_PHASES = [
    dict(name='dhln', iters=3),
    dict(name='fptn', iters=3),
    dict(name='sht', iters=4),
    dict(name='sht_weak', iters=4),
]


class TinyEstimator(BaseModel):
    """Parameters named like SHTEstimator's, a ``train_mode`` attribute, one
    parameter frozen by the model itself (like FPTN's VGG) and BatchNorm
    layers in DHLN and FPTN.

    Every train step records what the loop set up for it in :attr:`steps`
    (mode, batch, trainable flags, BatchNorm modes) and returns
    ``loss`` (and ``loss_bad``: ``nan_at`` gives the step whose
    ``loss_bad`` is NaN; ``raise_at`` the step that raises
    ``FloatingPointError`` itself, as SHTEstimator's check does).
    """

    def __init__(self, nan_at: Optional[int] = None,
                 raise_at: Optional[int] = None) -> None:
        super().__init__()
        with torch.random.fork_rng():
            torch.manual_seed(0)  # the same weights in every run
            self.backbone = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
            self.head = nn.Linear(2, 2)
            self.fptn = nn.ModuleDict(
                dict(generator=nn.Linear(2, 2), vgg=nn.Linear(2, 2),
                     norm=nn.BatchNorm1d(2)))
        self.fptn.vgg.requires_grad_(False)
        self.train_mode = 'sht'
        self.nan_at, self.raise_at = nan_at, raise_at
        self.steps: List[Dict] = []

    def trainable(self) -> Dict[str, bool]:
        return {n: p.requires_grad for n, p in self.named_parameters()}

    def train_step(self, data: Sequence[int], optim_wrapper) -> dict:
        step = len(self.steps)
        self.steps.append(
            dict(mode=self.train_mode, batch=list(data),
                 trainable=self.trainable(),
                 backbone_bn=self.backbone[1].training,
                 fptn_bn=self.fptn.norm.training))
        if step == self.raise_at:
            raise FloatingPointError(
                "non-finite loss in training mode 'sht' (generator side): "
                'loss_pt_gan = inf')
        x = torch.tensor([[v / 1000, 1.0] for v in data])
        x = torch.cat([x, x + 1])  # BatchNorm needs two samples
        out = self.head(self.backbone(x)) + self.fptn.generator(x)
        loss = out.pow(2).mean()
        optim_wrapper.update_params(loss)
        bad = math.nan if step == self.nan_at else 0.0
        return dict(loss=loss.detach(), loss_bad=torch.tensor(bad))

    def forward(self, inputs=None, data_samples=None, mode='tensor'):
        return inputs


class Numbers(torch.utils.data.Dataset):
    """The integers ``first, first + 1, ...`` (``size`` of them)."""

    def __init__(self, first: int = 0, size: int = 100) -> None:
        self.first, self.size = first, size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> int:
        return self.first + index


def loader(first: int = 0, batch_size: int = 2, size: int = 100) -> dict:
    """A dataloader config over :class:`Numbers` (in order)."""
    return dict(dataset=Numbers(first, size), batch_size=batch_size,
                sampler=dict(type='DefaultSampler', shuffle=False),
                num_workers=0)


def tiny_runner(work_dir: str, phases: Sequence[dict] = PAPER_PHASES,
                model: Optional[TinyEstimator] = None, **options) -> Runner:
    """A real Runner training ``model`` with ``SHTTrainLoop`` over
    ``phases``; ``options`` go into the config (``train_cfg`` entries are
    merged, e.g. ``train_cfg=dict(start_phase='sht')``)."""
    train_cfg = dict(type='SHTTrainLoop', phases=list(phases),
                     val_interval=10**6)
    train_cfg.update(options.pop('train_cfg', {}))
    name = uuid.uuid4().hex
    cfg = dict(
        model=model or TinyEstimator(),
        work_dir=work_dir,
        experiment_name=name,
        visualizer=dict(type='Visualizer', name=name),
        train_dataloader=loader(),
        train_cfg=train_cfg,
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(
            checkpoint=dict(type='CheckpointHook', by_epoch=False,
                            interval=1, max_keep_ckpts=-1),
            logger=dict(type='LoggerHook', interval=1)),
        log_processor=dict(by_epoch=False),
        log_level='WARNING',
        default_scope='mmpose',
        randomness=dict(seed=0))
    cfg.update(options)
    return Runner.from_cfg(Config(cfg, format_python_code=False))


def train(runner: Runner) -> TinyEstimator:
    runner.train()
    return runner.model
