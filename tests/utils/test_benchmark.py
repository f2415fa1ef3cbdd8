"""tools/analysis/benchmark.py and sht.utils.benchmarking: timing, memory,
targets, an end-to-end run on tiny configs."""
import json
import sys

import pytest
import torch
from helpers import load_tool
from helpers.deploy_testing import (TINY_CELEBA, TINY_M,
                                    with_synthetic_test_set, write_tiny_config)

from sht.utils import benchmarking
from sht.utils.benchmarking import PeakMemory


bench = load_tool('tools/analysis/benchmark.py')


class FakeClock:
    """perf_counter stand-in: each timed call advances it by a set amount."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_interleaved_rounds_and_medians(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(benchmarking.time, 'perf_counter', clock)
    order = []
    durations = dict(a=iter([9.0, 1.0, 5.0, 3.0]), b=iter([7.0, 2.0, 4.0,
                                                           8.0]))

    def make(name):

        def call():
            order.append(name)
            clock.now += next(durations[name])

        return call

    out = bench.interleaved(dict(a=make('a'), b=make('b')), repeats=3,
                            warmup=1, device='cpu', desc='test')
    assert order == ['a', 'b'] * 4  # A, B, A, B, ...
    # the first (warm-up) call of each is not timed
    assert out['a']['seconds'] == [1.0, 5.0, 3.0]
    assert out['b']['seconds'] == [2.0, 4.0, 8.0]
    assert out['a']['median_s'] == 3.0 and out['b']['median_s'] == 4.0
    with pytest.raises(ValueError, match='warmup'):
        bench.interleaved(dict(a=make('a')), 1, 0, 'cpu', 'test')


def test_cpu_timer_uses_process_time(monkeypatch):
    wall, cpu = FakeClock(), FakeClock()
    monkeypatch.setattr(benchmarking.time, 'perf_counter', wall)
    monkeypatch.setattr(benchmarking.time, 'process_time', cpu)
    steps = iter([(5.0, 1.0), (6.0, 2.0), (9.0, 2.5), (7.0, 4.0)])

    def call():
        w, c = next(steps)
        wall.now += w
        cpu.now += c

    out = bench.interleaved(dict(a=call), repeats=3, warmup=1, device='cpu',
                            desc='test', timer='cpu')
    assert out['a']['seconds'] == [6.0, 9.0, 7.0]
    assert out['a']['cpu_seconds'] == [2.0, 2.5, 4.0]
    assert out['a']['median_s'] == 2.5
    with pytest.raises(SystemExit):
        bench.parse_args(['--timer', 'cpu', '--device', 'cuda'])


@pytest.mark.skipif(not sys.platform.startswith('linux'),
                    reason='reads /proc/self/status')
def test_peak_memory_sees_a_large_allocation():
    with PeakMemory('cpu') as idle:
        pass
    with PeakMemory('cpu') as busy:
        block = torch.ones(64, 2**20)  # 256 MiB, every page touched
        del block
    assert busy.delta_mib > 200
    assert idle.delta_mib < 50


def _results(ratio, frac, sht, pipeline, shn_params=16.38e6):
    rows = {
        'SHN/optimized': dict(images_per_s=10.0),
        'DHLN[x]/optimized': dict(images_per_s=10.0 * ratio,
                                  mac_fraction_of_matmul=frac),
        'SHN/plain': dict(images_per_s=5.0),
        'DHLN[x]/plain': dict(images_per_s=1.0, mac_fraction_of_matmul=0.1),
    }
    return dict(
        inference=dict(
            models={'SHN': dict(params=shn_params),
                     'DHLN[x]': dict(params=22.80e6)},
            batches={'1': dict(rows={}), '16': dict(rows=rows)}),
        train=dict(sht_over_dhln_step=sht, dhln=dict(images_per_s=1.0)),
        pipeline=dict(pairs_per_second=pipeline))


def test_acceptance_flags():
    good = bench.acceptance(_results(0.7, 0.85, 2.5, 12.0))
    assert all(a['ok'] in (True, None) for a in good.values()), good
    # the optimized variant at the largest batch; the DHLN / SHN ratio
    # (a GPU figure of the paper) and the SHT / DHLN step are printed only
    key = 'DHLN/SHN throughput, batch 16 (optimized)'
    assert good[key]['value'] == pytest.approx(0.7)
    assert good[key]['ok'] is None
    assert good['SHT step (8 pairs) / DHLN step']['ok'] is None
    bad = bench.acceptance(_results(0.6, 0.5, 3.5, 8.0, shn_params=15e6))
    assert not any(a['ok'] for name, a in bad.items()
                   if not name.startswith('DHLN[x] parameters'))
    assert bad['SHN parameters vs paper']['value'] == pytest.approx(
        15e6 / 16.41e6 - 1)


def _deploy_results(int8_over_ort, int8_over_shn, nme_change, cp_gib,
                    cp_ratio):
    ratios = dict(int8_over_ort_fp32=int8_over_ort,
                  int8_over_shn_fp32=int8_over_shn,
                  int8_over_torch_fp32=1.5, bf16_over_torch_fp32=1.1)
    return dict(
        deploy=dict(batches={'1': dict(ratios={}), '16': dict(
            ratios=ratios)}),
        landmark_error=dict(metrics={
            'fp32': dict(NME_io=0.05, NME_io_rel_change=0.0),
            'torch-bf16': dict(NME_io=0.0501, NME_io_rel_change=0.002),
            'ort-int8': dict(NME_io=0.05, NME_io_rel_change=nme_change)}),
        checkpointing=dict(cp_pairs=8, plain_pairs=4, cp_peak_gib=cp_gib,
                           cp_over_plain_step=cp_ratio))


def test_deployment_and_checkpointing_targets():
    good = bench.acceptance(_deploy_results(2.3, 0.8, -0.01, 12.0, 1.3))
    assert {k: a['ok'] for k, a in good.items()} == {
        'int8 / fp32 onnxruntime DHLN, batch 16': True,
        'int8 DHLN / SHN fp32 PyTorch, batch 16': True,
        'bf16 / fp32 PyTorch DHLN, batch 16': None,
        'NME_io torch-bf16 vs fp32 (relative change)': None,
        'NME_io ort-int8 vs fp32 (relative change)': True,
        'SHT step peak memory, 8 pairs, with_cp (GiB)': True,
        'SHT step with_cp / without, 4 pairs': True,
    }
    bad = bench.acceptance(_deploy_results(1.9, 0.7, 0.03, 17.0, 1.5))
    assert all(a['ok'] is False for a in bad.values()
               if a['ok'] is not None)
    assert sum(a['ok'] is False for a in bad.values()) == 5


def test_first_call_timing(monkeypatch):
    """repeats=0: the first (memory-measured) call is the timing."""
    clock = FakeClock()
    monkeypatch.setattr(benchmarking.time, 'perf_counter', clock)

    def call():
        clock.now += 7.0

    out = bench.interleaved(dict(a=call), repeats=0, warmup=1, device='cpu',
                            desc='test')
    assert out['a']['seconds'] == [] and out['a']['first_s'] == 7.0
    assert out['a']['median_s'] == 7.0 and 'peak_mib' in out['a']


def test_end_to_end_on_tiny_configs(tmp_path, capsys):
    shn = write_tiny_config(tmp_path, '300w/SHN_300W.py')
    dhln = write_tiny_config(tmp_path, '300w/DHLN-M_300W.py')
    celeba = write_tiny_config(tmp_path, 'celeba/DHLN_CelebA.py',
                               TINY_CELEBA)
    sht = write_tiny_config(tmp_path, '300w/SHT-M_300W.py')
    nme = with_synthetic_test_set(tmp_path, dhln, TINY_M['hr'],
                                  num_per_subset=1)
    out = tmp_path / 'bench.json'
    res = bench.main([
        '--shn', shn, '--dhln', dhln, celeba, '--sht', sht, '--skip',
        'hrnet', '--batch-sizes', '1', '2', '--repeats', '1',
        '--train-batch', '4', '--train-pairs', '1', '--train-repeats', '1',
        '--pipeline-pairs', '3', '--matmul-size', '256',
        '--variants', 'plain', 'optimized', '--no-malloc-tuning',
        '--deploy-batch-sizes', '2', '--calib-faces', '3',
        '--deploy-dir', str(tmp_path / 'onnx'), '--nme-config', nme,
        '--nme-checkpoint', 'none', '--cp-pairs', '2', '--plain-pairs', '1',
        '--out', str(out)
    ])
    saved = json.loads(out.read_text())
    assert saved['acceptance'].keys() == res['acceptance'].keys()
    rows = saved['inference']['batches']['2']['rows']
    # the plain model is timed for the SHN / DHLN pair only
    assert set(rows) == {
        'SHN/plain', 'SHN/optimized', 'DHLN[DHLN-M_300W]/plain',
        'DHLN[DHLN-M_300W]/optimized', 'DHLN[DHLN_CelebA]/optimized'
    }
    for row in rows.values():
        assert row['images_per_s'] > 0 and row['mac_fraction_of_matmul'] > 0
    models = saved['inference']['models']
    assert models['DHLN[DHLN_CelebA]']['hr_size'] == 32
    # DHLN = SHN + the SR stream and fusion blocks: more parameters and MACs
    assert models['DHLN[DHLN-M_300W]']['params'] > models['SHN']['params']
    assert (models['DHLN[DHLN-M_300W]']['macs_per_image'] >
            models['SHN']['macs_per_image'])
    train = saved['train']
    assert train['dhln']['images'] == 4 and train['sht']['pairs'] == 1
    # the paper's 8-pair SHT step, extrapolated from 1 pair, against DHLN
    assert train['sht']['extrapolated']
    assert train['sht']['step_s_8_pairs'] == pytest.approx(
        8 * train['sht']['median_s'])
    assert train['sht_over_dhln_step'] == pytest.approx(
        8 * train['sht']['median_s'] / train['dhln']['median_s'])
    assert saved['pipeline']['pairs_per_second'] > 0

    # deployment: four DHLN runtimes beside SHN, same rounds
    rows = saved['deploy']['batches']['2']['rows']
    assert set(rows) == {'SHN/torch-fp32', 'DHLN/torch-fp32',
                         'DHLN/torch-bf16', 'DHLN/ort-fp32', 'DHLN/ort-int8'}
    assert all(r['images_per_s'] > 0 for r in rows.values())
    ratios = saved['deploy']['batches']['2']['ratios']
    assert ratios['int8_over_ort_fp32'] == pytest.approx(
        rows['DHLN/ort-int8']['images_per_s'] /
        rows['DHLN/ort-fp32']['images_per_s'])
    errors = saved['landmark_error']['metrics']
    assert set(errors) == {'fp32', 'torch-fp32', 'torch-bf16', 'ort-fp32',
                           'ort-int8'}
    assert errors['ort-int8']['num_faces'] == 3
    # checkpointing: the 2-pair step with with_cp timed directly (its first
    # call), the 1-pair steps with and without
    cp = saved['checkpointing']
    assert set(cp['calls']) == {'cp@2', 'plain@1', 'cp@1'}
    assert cp['calls']['cp@2']['median_s'] == cp['calls']['cp@2']['first_s']
    assert cp['cp_over_plain_step'] == pytest.approx(
        cp['calls']['cp@1']['median_s'] / cp['calls']['plain@1']['median_s'])
    assert cp['cp_peak_gib'] > 0
    keys = saved['acceptance']
    assert 'SHT step with_cp / without, 1 pairs' in keys
    assert 'NME_io ort-int8 vs fp32 (relative change)' in keys
    text = capsys.readouterr().out
    assert 'Performance targets' in text and '(extrapolated)' in text
    assert 'CPU deployment' in text and 'with_cp / without' in text


def test_with_cp_from_config_options(tmp_path):
    """The config options that turn checkpointing on reach DHLN, the
    generator and both discriminators (no config file change)."""
    from sht.utils.train_benchmark import build_trainable, \
        synthetic_train_batch
    sht = write_tiny_config(tmp_path, '300w/SHT-M_300W.py')
    cfg, model, optim = build_trainable(sht, 'cpu', {
        'model.fptn.perceptual_loss.vgg_weights': None,
        'model.backbone.with_cp': True,
        'model.fptn.generator.with_cp': True,
        'model.fptn.discriminator.with_cp': True})
    flags = {name: m.with_cp for name, m in model.named_modules()
             if hasattr(m, 'with_cp')}
    assert flags == {'backbone': True, 'generator': True,
                     'discriminator_a': True, 'discriminator_s': True}
    model.train_mode = 'sht'
    log = model.train_step(synthetic_train_batch(cfg, 2), optim)
    assert torch.isfinite(log['loss']) and torch.isfinite(log['loss_disc'])
