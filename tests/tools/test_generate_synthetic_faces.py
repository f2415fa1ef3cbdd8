"""tools/misc/generate_synthetic_faces.py: layouts, manifest, idempotence."""
import json
from pathlib import Path

import cv2
import pytest
from helpers import load_tool

@pytest.fixture(scope='module')
def tool():
    return load_tool('tools/misc/generate_synthetic_faces.py')


def _mtimes(folder: Path) -> dict:
    return {p: p.stat().st_mtime_ns for p in folder.rglob('*') if p.is_file()}


def test_writes_every_layout_then_skips(tool, tmp_path, capsys):
    args = [str(tmp_path), '--num', '1', '--size', '64', '--frames', '1',
            '3']
    assert tool.main(args) == 0
    for layout in ('300w', 'wflw', 'celeba', '300vw'):
        manifest = json.loads(
            (tmp_path / layout / 'synthetic_manifest.json').read_text())
        assert manifest['layout'] == layout
        assert manifest['num'] == 1 and manifest['size'] == 64
    assert len(list((tmp_path / '300w').rglob('*.pts'))) == 6
    assert (tmp_path / '300vw' / '001' / 'vid.avi').is_file()
    assert len(list((tmp_path / '300vw' / '001' / 'annot').iterdir())) == 1
    assert (tmp_path / 'celeba' / 'list_eval_partition.txt').is_file()
    assert not list(tmp_path.glob('*.partial'))

    before = _mtimes(tmp_path)
    capsys.readouterr()
    assert tool.main(args) == 0
    assert 'skipped' in capsys.readouterr().out
    assert _mtimes(tmp_path) == before


def test_other_settings_rewrite_the_layout(tool, tmp_path):
    base = [str(tmp_path), '--layouts', '300w', '--size', '64']
    tool.main(base + ['--num', '1', '--seed', '0'])
    first = (tmp_path / '300w' / 'afw').glob('*.pts').__next__().read_text()
    tool.main(base + ['--num', '2', '--seed', '1'])
    manifest = json.loads(
        (tmp_path / '300w' / 'synthetic_manifest.json').read_text())
    assert manifest['num'] == 2 and manifest['seed'] == 1
    files = sorted((tmp_path / '300w' / 'afw').glob('*.pts'))
    assert len(files) == 2 and files[0].read_text() != first


def test_refuses_foreign_folders(tool, tmp_path):
    (tmp_path / 'wflw').mkdir()
    (tmp_path / 'wflw' / 'mine.txt').write_text('not generated')
    with pytest.raises(SystemExit, match='refusing'):
        tool.main([str(tmp_path), '--layouts', 'wflw', '--num', '1'])
    assert (tmp_path / 'wflw' / 'mine.txt').read_text() == 'not generated'


def test_preview_sheet(tool, tmp_path):
    out = tmp_path / 'sheet.png'
    tool.main([str(tmp_path), '--layouts', 'celeba', '--num', '1', '--size',
               '64', '--preview', str(out)])
    sheet = cv2.imread(str(out))
    assert sheet.shape == (256, 256, 3)
    # Landmark dots are pure green on top of the faces.
    green = (sheet[..., 1] > 200) & (sheet[..., 0] < 60) & (sheet[..., 2] < 60)
    assert green.sum() > 16 * 20


def test_bad_arguments(tool, tmp_path):
    with pytest.raises(SystemExit):
        tool.main([str(tmp_path), '--num', '0'])
    with pytest.raises(SystemExit):
        tool.main([str(tmp_path), '--layouts', 'aflw'])
