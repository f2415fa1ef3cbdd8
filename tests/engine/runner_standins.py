"""Stand-ins for the hook tests: a tiny estimator with SHTEstimator's
parameter names, and a runner / train loop holding only the state that
SHTPhaseHook and SHTNaNGuardHook read."""
import uuid
from types import SimpleNamespace
from typing import List

from mmengine.logging import MessageHub
from mmengine.runner.loops import _InfiniteDataloaderIterator
from torch import nn
from torch.utils.data import DataLoader

PAPER_PHASES = [
    dict(name='dhln', iters=3),
    dict(name='fptn', iters=3),
    dict(name='sht', iters=4),
    dict(name='sht_weak', iters=4),
]


class TinyEstimator(nn.Module):
    """Parameters named like SHTEstimator's, a ``train_mode`` attribute and
    one parameter frozen by the model itself (like FPTN's VGG)."""

    def __init__(self) -> None:
        super().__init__()
        self.backbone = nn.Linear(2, 2)
        self.head = nn.Linear(2, 2)
        self.fptn = nn.ModuleDict(
            dict(generator=nn.Linear(2, 2), vgg=nn.Linear(2, 2)))
        self.fptn.vgg.requires_grad_(False)
        self.train_mode = 'sht'

    def trainable(self) -> dict:
        return {n: p.requires_grad for n, p in self.named_parameters()}


class ListLogger:
    """Collects log lines."""

    def __init__(self) -> None:
        self.lines: List[str] = []

    def info(self, msg: str) -> None:
        self.lines.append(msg)

    warning = error = info


def make_loop(loop_type, max_iters=14, max_epochs=14, current=0):
    """A loop object of the real class with the state the hook reads."""
    loop = object.__new__(loop_type)
    loop._max_iters = max_iters
    loop._max_epochs = max_epochs
    loop._iter = current
    loop._epoch = current
    loop.dataloader = DataLoader(list(range(100)), batch_size=2)
    loop.dataloader_iterator = _InfiniteDataloaderIterator(loop.dataloader)
    return loop


def make_runner(loop, model=None):
    model = model or TinyEstimator()
    runner = SimpleNamespace(
        model=model,
        train_loop=loop,
        logger=ListLogger(),
        message_hub=MessageHub.get_instance(f'phase-{uuid.uuid4().hex}'),
        cfg={},
        seed=0)
    runner.build_dataloader = lambda cfg, seed=None, diff_rank_seed=False: \
        DataLoader(list(range(cfg['first'], cfg['first'] + 100)),
                   batch_size=cfg['batch_size'])
    return runner


def set_position(runner, position: int) -> None:
    runner.iter = runner.epoch = position
