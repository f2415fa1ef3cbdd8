"""Turning an evaluation's flat result dict into a per-subset table / JSON.

Result keys follow ``[<prefix>/]<metric>[/<subset>]`` (e.g. ``NME_io``,
``NME_io/common``, ``val/PSNR/helen``); the printed table has one row per
metric and one column per subset (``all`` first).
"""
import json
import math
import os
import os.path as osp
import re
from typing import Dict, List, Mapping, Tuple

OVERALL = 'all'
_METRIC_NAME = re.compile(
    r'^((NME|AUC|FR)_[A-Za-z]+(@[0-9.eE+-]+)?|PSNR|SSIM)$')


def split_metric_key(key: str) -> Tuple[str, str]:
    """Split a result key into (metric, subset).

    Args:
        key (str): e.g. ``'NME_io/common'`` or ``'val/AUC_box@0.07'``.

    Returns:
        tuple[str, str]: The metric (with its prefix) and the subset
        (``'all'`` for the whole set and for keys of unknown form).
    """
    parts = key.split('/')
    for i, part in enumerate(parts):
        if _METRIC_NAME.match(part):
            subset = '/'.join(parts[i + 1:]) or OVERALL
            return '/'.join(parts[:i + 1]), subset
    return key, OVERALL


def metric_table(
        metrics: Mapping[str, float]
) -> Tuple[List[str], List[str], Dict[str, Dict[str, float]]]:
    """Arrange result keys by metric and subset.

    Args:
        metrics (Mapping[str, float]): Flat result dict of an evaluation.

    Returns:
        tuple: ``(metrics, subsets, cells)`` with
        ``cells[subset][metric]``; subsets start with ``'all'``, both keep
        the order of first appearance.
    """
    columns, rows = [], [OVERALL]
    cells: Dict[str, Dict[str, float]] = {OVERALL: {}}
    for key, value in metrics.items():
        metric, subset = split_metric_key(key)
        if metric not in columns:
            columns.append(metric)
        if subset not in cells:
            rows.append(subset)
            cells[subset] = {}
        cells[subset][metric] = value
    if not cells[OVERALL] and len(rows) > 1:
        rows.remove(OVERALL)
    return columns, rows, cells


def _format_value(value) -> str:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isinf(value) or math.isnan(value):
        return str(value)
    return f'{value:.4f}'


def format_metric_table(metrics: Mapping[str, float]) -> str:
    """Render the results as fixed-width text: one row per metric, one
    column per subset (``all`` first), like the paper's tables.

    NME, AUC and FR are in percent (as :class:`FaceLandmarkMetric` reports
    them), PSNR in dB, SSIM in [0, 1].

    Args:
        metrics (Mapping[str, float]): Flat result dict of an evaluation.

    Returns:
        str: The table.
    """
    columns, rows, cells = metric_table(metrics)
    header = ['metric'] + rows
    body = [[column] + [
        _format_value(cells[row][column]) if column in cells[row] else '-'
        for row in rows
    ] for column in columns]
    widths = [
        max(len(r[i]) for r in [header] + body) for i in range(len(header))
    ]

    def line(values):
        return '| ' + ' | '.join(
            v.ljust(w) if i == 0 else v.rjust(w)
            for i, (v, w) in enumerate(zip(values, widths))) + ' |'

    rule = '+-' + '-+-'.join('-' * w for w in widths) + '-+'
    return '\n'.join([rule, line(header), rule] + [line(r) for r in body] +
                     [rule])


def _json_value(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def save_metrics_json(metrics: Mapping[str, float], out_file: str) -> str:
    """Write the flat result dict as JSON (numbers as floats; ``inf`` is
    written as ``Infinity``, which Python's ``json`` reads back).

    Args:
        metrics (Mapping[str, float]): Flat result dict of an evaluation.
        out_file (str): JSON path; its folder is created.

    Returns:
        str: ``out_file``.
    """
    out_dir = osp.dirname(osp.abspath(out_file))
    os.makedirs(out_dir, exist_ok=True)
    with open(out_file, 'w') as f:
        json.dump({k: _json_value(v) for k, v in metrics.items()}, f, indent=2)
    return out_file
