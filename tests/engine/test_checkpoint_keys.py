"""Checkpoint keys under ``MMSeparateDistributedDataParallel`` (one process,
gloo): the model's ``state_dict`` has the single-process keys in the same
order, older ``<child>.module.*`` checkpoints load, and the helpers that
name mismatches and damaged files."""
import os
import zipfile
from collections import OrderedDict

import pytest
import torch
import torch.distributed as torch_dist
from helpers.engine_testing import TINY_CONFIG, free_port
from mmengine.config import Config
from mmengine.model import MMSeparateDistributedDataParallel
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmpose.registry import MODELS
from sht.engine import (CheckpointFileError, CheckpointKeysError,
                        checkpoint_damage, resolve_auto_resume,
                        strip_wrapper_segments)
from sht.engine.checkpoint_keys import check_loaded_keys, describe_mismatch


def _build(seed: int, train: bool = True):
    init_default_scope('mmpose')
    cfg = Config.fromfile(TINY_CONFIG)
    if not train:
        cfg.model.train_cfg = None
    torch.manual_seed(seed)
    return MODELS.build(cfg.model)


@pytest.fixture
def gloo_group():
    torch_dist.init_process_group(
        'gloo', rank=0, world_size=1,
        init_method=f'tcp://127.0.0.1:{free_port()}')
    yield
    torch_dist.destroy_process_group()


def test_separate_ddp_state_dict_has_single_process_keys(gloo_group):
    model = _build(0)
    plain = model.state_dict()
    wrapped = MMSeparateDistributedDataParallel(
        model, broadcast_buffers=False, find_unused_parameters=True,
        device_ids=None)
    assert 'module' in dict(wrapped.module.backbone.named_children())
    state = wrapped.module.state_dict()
    assert list(state) == list(plain)
    assert set(state._metadata) == set(plain._metadata)
    # the whole wrapper's state_dict: one leading module. only
    assert list(wrapped.state_dict()) == ['module.' + k for k in plain]


def test_old_module_keys_load_into_training_and_inference_models(tmp_path):
    source = _build(0).state_dict()
    old = OrderedDict(
        (k.replace('.', '.module.', 1), v) for k, v in source.items())
    assert all('.module.' in k for k in old)
    path = str(tmp_path / 'old.pth')
    torch.save(dict(state_dict=old), path)
    for train in (True, False):
        model = _build(1, train)
        load_checkpoint(model, path, map_location='cpu')
        state = model.state_dict()
        assert state and all(
            torch.equal(v, source[k]) for k, v in state.items()), train


def test_strip_wrapper_segments_and_messages():
    state = OrderedDict([('module.backbone.module.a', 1), ('head.module.b', 2),
                         ('fptn.c', 3), ('head.d.module', 4)])
    assert strip_wrapper_segments(state) == 2
    assert list(state) == ['backbone.a', 'head.b', 'fptn.c', 'head.d.module']
    with pytest.raises(CheckpointKeysError, match='both'):
        strip_wrapper_segments(OrderedDict([('a.module.x', 1), ('a.x', 2)]))
    keys = [f'k{i}' for i in range(7)]
    assert describe_mismatch(keys, ['u']) == (
        '7 missing keys (k0, k1, k2, k3, k4, ... 2 more), '
        '1 unexpected key (u)')
    # FPTN may be absent as a whole, DHLN never; BN counters may be missing
    check_loaded_keys('a.pth', ['fptn.g.w', 'backbone.bn.num_batches_tracked'],
                      [], found=['backbone.w'])
    with pytest.raises(CheckpointKeysError, match=r'^a\.pth: .*fptn\.g\.w'):
        check_loaded_keys('a.pth', ['fptn.g.w'], [], found=['fptn.d.w'])
    with pytest.raises(CheckpointKeysError, match=r'1 missing key \(head'):
        check_loaded_keys('a.pth', ['head.w'], [], found=['backbone.w'])


def _checkpoint(path: str, value: float = 1.0) -> str:
    torch.save(dict(state_dict={'w': torch.full((64, ), value)}), path)
    return path


def test_checkpoint_damage(tmp_path):
    good = _checkpoint(str(tmp_path / 'good.pth'))
    assert checkpoint_damage(good) is None
    truncated = str(tmp_path / 'truncated.pth')
    with open(good, 'rb') as f, open(truncated, 'wb') as out:
        out.write(f.read()[:os.path.getsize(good) // 2])
    assert 'truncated' in checkpoint_damage(truncated)
    corrupt = str(tmp_path / 'corrupt.pth')
    _checkpoint(corrupt)
    with zipfile.ZipFile(corrupt) as archive:
        info = [i for i in archive.infolist() if i.filename.endswith('/0')][0]
    with open(corrupt, 'r+b') as f:  # overwrite the tensor's first bytes
        f.seek(info.header_offset + 26)  # the local header's name/extra sizes
        sizes = f.read(4)
        f.seek(info.header_offset + 30 + int.from_bytes(sizes[:2], 'little')
               + int.from_bytes(sizes[2:], 'little'))
        f.write(b'\xff\xff\xff\xff')
    assert 'CRC' in checkpoint_damage(corrupt)
    empty = str(tmp_path / 'empty.pth')
    open(empty, 'w').close()
    assert checkpoint_damage(empty) == 'is empty (0 bytes)'
    assert checkpoint_damage(str(tmp_path / 'nope.pth')) == 'does not exist'
    legacy = str(tmp_path / 'legacy.pth')
    torch.save({'w': torch.ones(1)}, legacy,
               _use_new_zipfile_serialization=False)
    assert checkpoint_damage(legacy) is None  # another format: not judged


def test_resolve_auto_resume(tmp_path):
    work = str(tmp_path)
    for it in (2, 3):
        _checkpoint(os.path.join(work, f'iter_{it}.pth'), it)
    named = os.path.join(work, 'iter_4.pth')
    with open(named, 'wb') as f:
        f.write(b'PK\x03\x04 cut short')
    assert resolve_auto_resume(work, os.path.join(work, 'iter_3.pth')) \
        .endswith('iter_3.pth')
    assert resolve_auto_resume(work, named).endswith('iter_3.pth')
    assert resolve_auto_resume(work, '').endswith('iter_3.pth')
    for it in (2, 3):
        os.remove(os.path.join(work, f'iter_{it}.pth'))
    with pytest.raises(CheckpointFileError, match='last_checkpoint is empty'):
        resolve_auto_resume(work, '')
    with pytest.raises(CheckpointFileError, match='iter_4.pth'):
        resolve_auto_resume(work, named)
