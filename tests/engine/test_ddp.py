"""Two-process CPU (gloo) training with ``tools/dist_train.sh`` through all
four SHT phases (``MMSeparateDistributedDataParallel``: a DDP per
sub-network), and what its checkpoints give a user.

The checkpoints hold the keys of a single-process run's; every loader
(``init_model`` + ``inference_topdown``, ``tools/test.py``,
``publish_model.py``, a single-process ``--resume``) restores every weight
exactly as rank 0 had it, also from a checkpoint written the old way (with
``backbone.module.*`` keys); a DDP resume continues the loss sequence of
the uninterrupted DDP run; a missing or unexpected key is an error naming
the file.
"""
import copy
import json
import os.path as osp
import subprocess
import sys
from collections import OrderedDict
from typing import Dict

import numpy as np
import pytest
import torch
from helpers.engine_testing import (KILL_AT, MAX_ITERS, REPO_ROOT,
                                    TINY_TEST_CONFIG, assert_same_losses,
                                    console, publish_tool, read_scalars,
                                    train_command, train_env)
from sht.engine.checkpoint_keys import OPTIONAL_PREFIXES as FPTN_KEYS

pytestmark = pytest.mark.skipif(sys.platform == 'win32',
                                reason='bash launcher')

LAST = f'iter_{MAX_ITERS}.pth'
TEST_TOOL = osp.join(REPO_ROOT, 'tools', 'test.py')
# the sub-networks MMSeparateDistributedDataParallel wraps
WRAPPED = ('backbone.', 'head.', 'generator.', 'discriminator_a.',
           'discriminator_s.')


def _load(path: str) -> dict:
    return torch.load(path, map_location='cpu', weights_only=False)


def _rank0(ddp_runs) -> Dict[str, torch.Tensor]:
    """Rank 0's weights after the last iteration (the last checkpoint's)."""
    return _load(
        osp.join(ddp_runs['reference'], 'last_iter_weights_rank0.pth'))


def _assert_equal_to(weights: Dict[str, torch.Tensor],
                     reference: Dict[str, torch.Tensor], where: str) -> None:
    """Every entry of ``weights`` is in ``reference`` and equal to it (max
    abs difference 0)."""
    assert weights, where
    for name, value in weights.items():
        assert name in reference, f'{where}: {name}'
        diff = (value.double() - reference[name].double()).abs().max()
        assert float(diff) == 0.0, f'{where}: {name} differs by {diff}'


def _dhln_keys(state_dict: Dict) -> list:
    return [k for k in state_dict if not k.startswith(FPTN_KEYS)]


def _old_style_checkpoint(path: str, out: str) -> str:
    """The checkpoint as the old code wrote it under DDP: every key of a
    wrapped sub-network spelled ``<child>.module.*``."""
    ckpt = _load(path)
    ckpt['state_dict'] = OrderedDict(
        (k.replace('.', '.module.', 1) if k.startswith(WRAPPED) else k, v)
        for k, v in ckpt['state_dict'].items())
    torch.save(ckpt, out)
    return out


def _run(cmd, tiny_data: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        cmd, cwd=REPO_ROOT, env=train_env(tiny_data), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, timeout=300)


def test_ddp_run_trains_every_phase_with_the_same_weights_on_both_ranks(
        ddp_runs):
    log = console(ddp_runs['reference'])
    assert 'world_size 2' in log
    assert 'Distributed training: True' in log
    for name, mode, begin in (('dhln', 'dhln', 0), ('fptn', 'fptn', 3),
                              ('sht', 'sht', 6), ('sht_weak', 'sht', 10)):
        assert f'SHT phase "{name}" (training mode \'{mode}\') begins at ' \
            f'iter {begin}' in log, name
    assert f'Iter(train) [{MAX_ITERS}/{MAX_ITERS}]' in log
    digests = []
    for rank in (0, 1):
        with open(osp.join(ddp_runs['reference'],
                           f'param_digest_rank{rank}.json')) as f:
            digests.append(json.load(f))
    assert set(digests[0]) >= {'backbone', 'generator', 'discriminator_a'}
    assert digests[1] == digests[0]


def test_ddp_checkpoint_keys_equal_single_process_ones(ddp_runs, resume_runs):
    ddp = _load(osp.join(ddp_runs['reference'], LAST))['state_dict']
    single = _load(osp.join(resume_runs['reference'], LAST))['state_dict']
    assert list(ddp) == list(single)  # same keys, same order
    assert not [k for k in ddp if '.module.' in k]
    # and they hold rank 0's weights
    _assert_equal_to(ddp, _rank0(ddp_runs), 'checkpoint')


def test_ddp_resume_continues_the_uninterrupted_loss_sequence(ddp_runs):
    assert ddp_runs['last_before_resume'].endswith(f'iter_{KILL_AT}.pth')
    log = console(ddp_runs['interrupted'])
    resumed_log = log.split(f'resumed epoch: 0, iter: {KILL_AT}')[1]
    assert 'do not match' not in log
    assert 'SHT phase "sht_weak" (training mode \'sht\') begins at iter 10' \
        in resumed_log
    reference = read_scalars(ddp_runs['reference'])
    resumed = read_scalars(ddp_runs['interrupted'])
    assert sorted(resumed) == sorted(reference) == list(
        range(1, MAX_ITERS + 1))
    assert_same_losses(reference, resumed, range(KILL_AT + 1, MAX_ITERS + 1))
    final = [_load(osp.join(d, LAST))['state_dict']
             for d in (ddp_runs['reference'], ddp_runs['interrupted'])]
    _assert_equal_to(final[1], final[0], 'resumed final weights')


def test_init_model_and_inference_topdown_load_every_dhln_weight(
        ddp_runs, tiny_data, tmp_path, monkeypatch):
    from mmengine.config import Config
    from mmpose.apis import inference_topdown, init_model
    ddp_ckpt = osp.join(ddp_runs['reference'], LAST)
    old_ckpt = _old_style_checkpoint(ddp_ckpt, str(tmp_path / 'old.pth'))
    rank0 = _rank0(ddp_runs)
    dhln = _dhln_keys(_load(ddp_ckpt)['state_dict'])
    monkeypatch.setenv('SHT_TINY_DATA', tiny_data)
    cfg = Config.fromfile(TINY_TEST_CONFIG)
    image = osp.join(tiny_data, '300w', 'afw', '1004000000_1.jpg')
    boxes = np.array([[4.0, 4.0, 60.0, 60.0]])
    keypoints = []
    for ckpt in (ddp_ckpt, old_ckpt):
        model = init_model(copy.deepcopy(cfg), ckpt, device='cpu')
        state = model.state_dict()
        assert sorted(state) == sorted(dhln), ckpt
        _assert_equal_to(state, rank0, ckpt)
        pred = inference_topdown(model, image, boxes)[0]
        keypoints.append(pred.pred_instances.keypoints)
    assert keypoints[0].shape == (1, 68, 2)
    np.testing.assert_array_equal(keypoints[0], keypoints[1])


@pytest.mark.parametrize('spelling', ['new', 'old'])
def test_tools_test_loads_every_dhln_weight(ddp_runs, tiny_data, tmp_path,
                                            spelling):
    ckpt = osp.join(ddp_runs['reference'], LAST)
    if spelling == 'old':
        ckpt = _old_style_checkpoint(ckpt, str(tmp_path / 'old.pth'))
    work_dir = str(tmp_path / 'test')
    proc = _run([
        sys.executable, TEST_TOOL, TINY_TEST_CONFIG, ckpt, '--work-dir',
        work_dir, '--ced-dir', 'none'
    ], tiny_data)
    out = proc.stdout.decode(errors='replace')
    assert proc.returncode == 0, out[-4000:]
    assert 'do not match' not in out
    tested = _load(osp.join(work_dir, 'test_weights_rank0.pth'))
    dhln = _dhln_keys(_load(ckpt)['state_dict'])
    assert {k.replace('.module.', '.', 1) for k in dhln} <= set(tested)
    _assert_equal_to(tested, _rank0(ddp_runs), 'tools/test.py')


def test_publish_model_keeps_every_dhln_weight(ddp_runs, tmp_path):
    ddp_ckpt = osp.join(ddp_runs['reference'], LAST)
    old_ckpt = _old_style_checkpoint(ddp_ckpt, str(tmp_path / 'old.pth'))
    dhln = _dhln_keys(_load(ddp_ckpt)['state_dict'])
    tool = publish_tool()
    for name, ckpt in (('new', ddp_ckpt), ('old', old_ckpt)):
        published = _load(
            tool.publish_checkpoint(ckpt, str(tmp_path / f'{name}.pth')))
        assert list(published['state_dict']) == dhln, name
        _assert_equal_to(published['state_dict'], _rank0(ddp_runs), name)


def test_single_process_resume_of_a_ddp_checkpoint(ddp_runs, tiny_data,
                                                   tmp_path):
    work_dir = str(tmp_path / 'single')
    ckpt = osp.join(ddp_runs['reference'], LAST)
    proc = _run(train_command(work_dir, '--resume', ckpt), tiny_data)
    out = proc.stdout.decode(errors='replace')
    assert proc.returncode == 0, out[-4000:]
    assert f'resumed epoch: 0, iter: {MAX_ITERS}' in out
    assert 'do not match' not in out
    resumed = _load(osp.join(work_dir, 'train_weights_rank0.pth'))
    rank0 = _rank0(ddp_runs)
    assert set(resumed) == set(rank0)
    _assert_equal_to(resumed, rank0, 'single-process --resume')


def test_missing_unexpected_or_reshaped_weights_are_errors_naming_the_file(
        ddp_runs, tiny_data, tmp_path):
    from sht.engine import CheckpointKeysError
    ckpt = _load(osp.join(ddp_runs['reference'], LAST))
    state = ckpt['state_dict']
    gone = 'backbone.stem.layers.0.weight'
    del state[gone]
    state['backbone.extra_block.weight'] = torch.zeros(1)
    reshaped = 'backbone.stem.layers.0.bias'
    state[reshaped] = torch.zeros(3)
    bad = str(tmp_path / 'bad.pth')
    torch.save(ckpt, bad)
    runs = {
        'test': [sys.executable, TEST_TOOL, TINY_TEST_CONFIG, bad,
                 '--work-dir', str(tmp_path / 'test'), '--ced-dir', 'none'],
        'resume': train_command(str(tmp_path / 'resume'), '--resume', bad),
    }
    for what, cmd in runs.items():
        proc = _run(cmd, tiny_data)
        out = proc.stdout.decode(errors='replace')
        assert proc.returncode != 0, (what, out[-3000:])
        assert f'CheckpointKeysError: {bad}: ' in out, (what, out[-3000:])
        assert gone in out and 'backbone.extra_block.weight' in out, what
        assert f'1 reshaped (checkpoint vs model) key ({reshaped} (3,) vs' \
            in out, what
        assert 'Iter(train)' not in out, what
    with pytest.raises(CheckpointKeysError,
                       match=f'{bad}.*{gone}.*extra_block.*{reshaped}'):
        publish_tool().publish_checkpoint(bad, str(tmp_path / 'pub.pth'))
