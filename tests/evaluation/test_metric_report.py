"""The per-subset table and JSON written by tools/test.py."""
import json

import pytest

from sht.evaluation.report import (format_metric_table, metric_table,
                                   save_metrics_json, split_metric_key)


@pytest.mark.parametrize('key,expected', [
    ('NME_io', ('NME_io', 'all')),
    ('NME_io/common', ('NME_io', 'common')),
    ('AUC_box@0.07/frontal', ('AUC_box@0.07', 'frontal')),
    ('val/FR_io@0.1/blur', ('val/FR_io@0.1', 'blur')),
    ('PSNR', ('PSNR', 'all')),
    ('SSIM/helen', ('SSIM', 'helen')),
    ('coco/AP', ('coco/AP', 'all')),
])
def test_split_metric_key(key, expected):
    assert split_metric_key(key) == expected


def test_table_has_a_row_per_metric_and_a_column_per_subset(tmp_path):
    metrics = {
        'NME_io': 3.5, 'NME_io/common': 3.0, 'NME_io/challenging': 5.5,
        'PSNR': 27.125, 'PSNR/common': 28.0
    }
    columns, rows, cells = metric_table(metrics)
    assert columns == ['NME_io', 'PSNR']
    assert rows == ['all', 'common', 'challenging']
    assert cells['challenging'] == {'NME_io': 5.5}
    lines = format_metric_table(metrics).splitlines()
    assert [c.strip() for c in lines[1].split('|')[1:-1]] == [
        'metric', 'all', 'common', 'challenging']
    assert [c.strip() for c in lines[4].split('|')[1:-1]] == [
        'PSNR', '27.1250', '28.0000', '-']
    out = save_metrics_json(dict(metrics, SSIM=float('inf')),
                            str(tmp_path / 'a' / 'm.json'))
    with open(out) as f:
        assert json.load(f) == dict(metrics, SSIM=float('inf'))
