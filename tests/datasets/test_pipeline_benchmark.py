"""The pipeline benchmark runs end to end on tiny synthetic faces."""
import json
import os.path as osp

from helpers.face_data import REPO_ROOT, load_tool


def test_benchmark_prints_and_writes_json(tmp_path, capsys):
    tool = load_tool(
        osp.join(REPO_ROOT, 'tools', 'analysis', 'pipeline_benchmark.py'))
    out = str(tmp_path / 'bench.json')
    result = tool.main([
        '--num-pairs', '4', '--warmup', '1', '--num-images', '2',
        '--image-size', '96', '--input-size', '64', '--lr-size', '16',
        '--heatmap-size', '16', '--json-out', out
    ])
    printed = capsys.readouterr().out
    assert 'pairs per second per worker' in printed
    with open(out) as f:
        saved = json.load(f)
    assert saved['num_pairs'] == 4 and saved['pairs_per_second'] > 0
    stages = list(saved['ms_per_pair'])
    assert stages == [
        'LoadFaceImage', 'GetBBoxCenterScale', 'RandomPairView',
        'TopdownAffine', 'GenerateTarget', 'PackFaceInputs', 'pair_collate',
        'bicubic_degrade'
    ]
    assert all(v >= 0 for v in saved['ms_per_pair'].values())
    # the stages account for (nearly) all of the measured time
    per_pair = 1000 * saved['seconds'] / saved['num_pairs']
    assert sum(saved['ms_per_pair'].values()) <= per_pair * 1.01
    assert result['pairs_per_second'] == saved['pairs_per_second']
