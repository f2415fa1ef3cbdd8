"""Targets and printed report of ``tools/analysis/benchmark.py``.

:func:`acceptance` turns a result dict into the issue's targets (value,
target, pass flag; ``ok=None`` for figures printed without a target);
:func:`print_report` prints every section that was measured.
"""
import json
import os
import os.path as osp
from typing import Dict, Optional

# the paper's figures (Sec. 4.3)
PAPER = dict(shn_params=16.41e6, dhln_params=22.72e6, fps_ratio=80 / 120,
             pairs=8)
GIB = 1024.0


def _row(value: float, target: str, ok: Optional[bool]) -> dict:
    return dict(value=value, target=target, ok=ok)


def _inference_targets(inf: dict, out: Dict[str, dict]) -> None:
    models = inf['models']
    dhln = next(k for k in models if k.startswith('DHLN'))
    batch = max(inf['batches'], key=int)
    rows = inf['batches'][batch]['rows']
    timed = [k.split('/')[1] for k in rows if k.startswith(dhln)]
    chosen = 'optimized' if 'optimized' in timed else timed[0]
    ratio = (rows[f'{dhln}/{chosen}']['images_per_s'] /
             rows[f'SHN/{chosen}']['images_per_s'])
    # retired on the CPU (both run at the convolution peak): printed only
    out[f'DHLN/SHN throughput, batch {batch} ({chosen})'] = _row(
        ratio, 'paper 0.67 (GPU)', None)
    for name, paper in (('SHN', PAPER['shn_params']),
                        (dhln, PAPER['dhln_params'])):
        dev = models[name]['params'] / paper - 1
        out[f'{name} parameters vs paper'] = _row(dev, '|dev| <= 1%',
                                                  abs(dev) <= 0.01)
    frac = rows[f'{dhln}/{chosen}']['mac_fraction_of_matmul']
    out[f'DHLN MAC rate / matmul rate, batch {batch} ({chosen})'] = _row(
        frac, '>= 0.80', frac >= 0.8)


def _deploy_targets(dep: dict, out: Dict[str, dict]) -> None:
    batch = max(dep['batches'], key=int)
    r = dep['batches'][batch]['ratios']
    out[f'int8 / fp32 onnxruntime DHLN, batch {batch}'] = _row(
        r['int8_over_ort_fp32'], '>= 2', r['int8_over_ort_fp32'] >= 2)
    out[f'int8 DHLN / SHN fp32 PyTorch, batch {batch}'] = _row(
        r['int8_over_shn_fp32'], '>= 0.75', r['int8_over_shn_fp32'] >= 0.75)
    out[f'bf16 / fp32 PyTorch DHLN, batch {batch}'] = _row(
        r['bf16_over_torch_fp32'], '(printed)', None)


def _error_targets(err: dict, out: Dict[str, dict]) -> None:
    for name, m in err['metrics'].items():
        if name == 'fp32' or 'NME_io_rel_change' not in m:
            continue
        change = m['NME_io_rel_change']
        target = name == 'ort-int8'
        out[f'NME_io {name} vs fp32 (relative change)'] = _row(
            change, '|change| <= 2%' if target else '(printed)',
            abs(change) <= 0.02 if target else None)


def acceptance(res: dict) -> Dict[str, dict]:
    """The targets of every measured section, each with its value, target
    and pass flag (``None``: printed without a target)."""
    out: Dict[str, dict] = {}
    if res.get('inference'):
        _inference_targets(res['inference'], out)
    if res.get('deploy'):
        _deploy_targets(res['deploy'], out)
    if res.get('landmark_error'):
        _error_targets(res['landmark_error'], out)
    cp = res.get('checkpointing')
    if cp:
        out[f'SHT step peak memory, {cp["cp_pairs"]} pairs, with_cp (GiB)'] \
            = _row(cp['cp_peak_gib'], '<= 16', cp['cp_peak_gib'] <= 16)
        out[f'SHT step with_cp / without, {cp["plain_pairs"]} pairs'] = _row(
            cp['cp_over_plain_step'], '<= 1.4',
            cp['cp_over_plain_step'] <= 1.4)
    tr = res.get('train')
    if tr:
        out['SHT step (8 pairs) / DHLN step'] = _row(
            tr['sht_over_dhln_step'], '(printed)', None)
    if tr and res.get('pipeline'):
        r = res['pipeline']['pairs_per_second'] / tr['dhln']['images_per_s']
        out['pipeline pairs/s per worker / DHLN train images/s'] = _row(
            r, '>= 10', r >= 10)
    return out


def _print_inference(inf: dict) -> None:
    print(f'\n{"model":<28}{"params (M)":>11}{"GMACs/img":>11}')
    for name, m in inf['models'].items():
        print(f'{name:<28}{m["params"] / 1e6:>11.2f}'
              f'{m["macs_per_image"] / 1e9:>11.2f}')
    for batch, b in inf['batches'].items():
        mm = b['matmul_macs_per_s']
        print(f'\nInference, batch {batch} (matmul {mm / 1e9:.1f} GMAC/s)')
        print(f'{"model/variant":<34}{"img/s":>9}{"ms/batch":>10}'
              f'{"MAC/mm":>8}{"+MiB":>8}')
        for key, r in b['rows'].items():
            print(f'{key:<34}{r["images_per_s"]:>9.2f}'
                  f'{1000 * r["median_s"]:>10.1f}'
                  f'{r["mac_fraction_of_matmul"]:>8.2f}'
                  f'{r["delta_mib"]:>8.0f}')


def _print_deploy(dep: dict) -> None:
    print(f'\nCPU deployment (HR {dep["hr_size"]}, int8 calibrated on '
          f'{dep["calib_faces"]} generated faces): images/s')
    batches = list(dep['batches'])
    names = list(dep['batches'][batches[0]]['rows'])
    print(f'{"model/runtime":<22}' +
          ''.join(f'{"batch " + b:>10}' for b in batches))
    for name in names:
        print(f'{name:<22}' + ''.join(
            f'{dep["batches"][b]["rows"][name]["images_per_s"]:>10.2f}'
            for b in batches))
    for b in batches:
        r = dep['batches'][b]['ratios']
        print(f'batch {b}: int8 / ort fp32 {r["int8_over_ort_fp32"]:.2f}, '
              f'int8 / torch fp32 {r["int8_over_torch_fp32"]:.2f}, '
              f'bf16 / torch fp32 {r["bf16_over_torch_fp32"]:.2f}, '
              f'int8 DHLN / SHN fp32 {r["int8_over_shn_fp32"]:.2f}')


def _print_errors(err: dict) -> None:
    print(f'\nLandmark error on the test set of {err["config"]} '
          f'(checkpoint {err["checkpoint"]})')
    print(f'{"variant":<14}{"faces":>7}{"NME_io %":>10}{"vs fp32":>10}'
          f'{"PSNR":>8}')
    for name, m in err['metrics'].items():
        print(f'{name:<14}{m["num_faces"]:>7}'
              f'{m.get("NME_io", float("nan")):>10.3f}'
              f'{100 * m.get("NME_io_rel_change", float("nan")):>9.2f}%'
              f'{m.get("PSNR", float("nan")):>8.2f}')


def _print_checkpointing(cp: dict) -> None:
    print(f'\nSHT steps with / without activation checkpointing '
          f'({cp["config"]}{", AMP" if cp["amp"] else ""}):')
    for key, c in cp['calls'].items():
        print(f'{key:<10} {c["median_s"]:8.1f} s/step, peak '
              f'{c["peak_mib"] / GIB:6.2f} GiB (+{c["delta_mib"] / GIB:.2f}'
              ' GiB in the step)')
    print(f'with_cp / without at {cp["plain_pairs"]} pairs: '
          f'{cp["cp_over_plain_step"]:.2f}')


def _print_train(tr: dict) -> None:
    print('\nTraining steps (+MiB: peak above the memory in use)')
    d, s = tr['dhln'], tr['sht']
    print(f'DHLN, {d["images"]} images: {d["median_s"]:.2f} s/step, '
          f'{d["images_per_s"]:.2f} images/s, +{d["delta_mib"]:.0f} MiB')
    print(f'SHT, {s["pairs"]} pairs: {s["median_s"]:.2f} s/step, '
          f'+{s["delta_mib"]:.0f} MiB; 8 pairs: '
          f'{s["step_s_8_pairs"]:.1f} s/step'
          f'{" (extrapolated)" if s["extrapolated"] else ""}')
    print(f'SHT (8 pairs) / DHLN ({d["images"]} images) step: '
          f'{tr["sht_over_dhln_step"]:.2f}')


def print_report(res: dict) -> None:
    """Print the environment, every measured section and the targets."""
    env = res['environment']
    print(f'\nDevice {env["device"]} ({env["device_name"]}), torch '
          f'{env["torch"]}, {env["threads"]} threads, {env["timer"]} '
          f'time, malloc tuned: {env["malloc_tuned"]}, load average '
          f'{env["loadavg_start"]} -> {env["loadavg_end"]}, '
          f'{env["wall_s"]:.0f} s')
    print('(+MiB: peak memory of one call above the memory in use before '
          'it; MAC/mm: achieved MAC rate / same-run matmul rate)')
    sections = (('inference', _print_inference), ('deploy', _print_deploy),
                ('landmark_error', _print_errors),
                ('checkpointing', _print_checkpointing),
                ('train', _print_train))
    for key, show in sections:
        if res.get(key):
            show(res[key])
    if res.get('pipeline'):
        print(f'\nPipeline: {res["pipeline"]["pairs_per_second"]:.1f} '
              'pairs/s per worker')
    print('\nPerformance targets')
    for name, a in res['acceptance'].items():
        flag = {True: 'ok', False: 'MISSED', None: ''}[a['ok']]
        print(f'  {name:<58}{a["value"]:>9.3f}  {a["target"]:<20}{flag}')


def write_json_report(result: dict, path: str) -> None:
    """Write a benchmark's ``result`` to ``path`` as indented json (creating
    its folder)."""
    if osp.dirname(path):
        os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(result, f, indent=2)
