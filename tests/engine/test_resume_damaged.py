"""``tools/train.py --resume`` when the newest checkpoint is damaged: a
truncated file named by ``last_checkpoint``, or an empty
``last_checkpoint``, is named in the log and the run resumes from the
previous complete checkpoint (exactly: the re-trained iteration gives the
uninterrupted run's loss and weights); a truncated file given by path is an
error naming it. And ``--amp`` without CUDA says it needs CUDA."""
import os
import os.path as osp
import shutil
import subprocess

import pytest
import torch
from helpers.engine_testing import (MAX_ITERS, REPO_ROOT, loss_terms,
                                    read_scalars, train_command, train_env)

LAST = f'iter_{MAX_ITERS}.pth'


def _copy_run(reference: str, work_dir: str) -> str:
    """The checkpoints of ``reference`` in ``work_dir``, with a
    ``last_checkpoint`` naming the copy of the last one."""
    os.makedirs(work_dir)
    for name in sorted(os.listdir(reference)):
        if name.endswith('.pth') and name.startswith('iter_'):
            shutil.copy2(osp.join(reference, name), work_dir)
    with open(osp.join(work_dir, 'last_checkpoint'), 'w') as f:
        f.write(osp.join(work_dir, LAST))
    return work_dir


def _train(work_dir: str, tiny_data: str, *extra: str) -> str:
    proc = subprocess.run(
        train_command(work_dir, *extra), cwd=REPO_ROOT,
        env=train_env(tiny_data), stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, timeout=300)
    return proc.returncode, proc.stdout.decode(errors='replace')


def _truncate(path: str) -> None:
    with open(path, 'r+b') as f:
        f.truncate(os.path.getsize(path) // 2)


def test_truncated_last_checkpoint_falls_back_to_the_previous_one(
        resume_runs, tiny_data, tmp_path):
    reference = resume_runs['reference']
    work_dir = _copy_run(reference, str(tmp_path / 'run'))
    damaged = osp.join(work_dir, LAST)
    _truncate(damaged)
    rc, out = _train(work_dir, tiny_data, '--resume')
    assert rc == 0, out[-4000:]
    previous = osp.join(work_dir, f'iter_{MAX_ITERS - 1}.pth')
    assert f'{damaged} (named by {work_dir}/last_checkpoint) is truncated' \
        in out
    assert f'resuming from the previous complete checkpoint {previous}' \
        in out
    assert f'resumed epoch: 0, iter: {MAX_ITERS - 1}' in out
    # the last iteration ran again, as in the uninterrupted run
    expected = loss_terms(read_scalars(reference)[MAX_ITERS])
    actual = loss_terms(read_scalars(work_dir)[MAX_ITERS])
    assert set(actual) == set(expected)
    for name, value in expected.items():
        assert abs(actual[name] - value) <= 1e-6 * max(1.0, abs(value)), name
    rewritten = torch.load(damaged, map_location='cpu', weights_only=False)
    original = torch.load(osp.join(reference, LAST), map_location='cpu',
                          weights_only=False)
    assert list(rewritten['state_dict']) == list(original['state_dict'])
    for key, value in original['state_dict'].items():
        assert torch.equal(rewritten['state_dict'][key], value), key


def test_empty_last_checkpoint_falls_back_to_the_newest_complete_one(
        resume_runs, tiny_data, tmp_path):
    work_dir = _copy_run(resume_runs['reference'], str(tmp_path / 'run'))
    open(osp.join(work_dir, 'last_checkpoint'), 'w').close()
    rc, out = _train(work_dir, tiny_data, '--resume')
    assert rc == 0, out[-4000:]
    assert f'{work_dir}/last_checkpoint is empty; resuming from the ' \
        f'previous complete checkpoint {work_dir}/{LAST}' in out
    assert f'resumed epoch: 0, iter: {MAX_ITERS}' in out


def test_truncated_checkpoint_given_by_path_is_an_error_naming_it(
        resume_runs, tiny_data, tmp_path):
    damaged = str(tmp_path / 'cut.pth')
    shutil.copyfile(osp.join(resume_runs['reference'], LAST), damaged)
    _truncate(damaged)
    rc, out = _train(str(tmp_path / 'run'), tiny_data, '--resume', damaged)
    assert rc != 0
    assert f'CheckpointFileError: checkpoint {damaged} is truncated' in out
    assert 'Iter(train)' not in out


@pytest.mark.skipif(torch.cuda.is_available(), reason='a CUDA host')
def test_amp_without_cuda_says_it_needs_cuda(tiny_data, tmp_path):
    rc, out = _train(str(tmp_path / 'amp'), tiny_data, '--amp')
    assert rc != 0
    assert out.strip().splitlines()[-1] == (
        'tools/train.py: --amp needs CUDA (mixed precision training with '
        'AmpOptimWrapper), and this host has no CUDA device; train without '
        '--amp')
