"""demo/image_demo.py with a checkpoint of the demo model (random
weights): a synthetic face photo (a picture with three panels), two real
faces, a folder, a video, the whole-image warning and named errors."""
import os
import os.path as osp

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

from helpers import REPO_ROOT as REPO
from helpers import load_tool
import sht  # noqa: F401
from sht.synthetic import SyntheticFaceGenerator

CONFIG = osp.join(REPO, 'configs', 'sht', 'demo', 'sht_synthetic.py')


def load_script():
    return load_tool('demo/image_demo.py')


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory):
    """A training checkpoint of the demo model (FPTN included)."""
    init_default_scope('mmpose')
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(CONFIG).model)
    path = str(tmp_path_factory.mktemp('ckpt') / 'demo.pth')
    torch.save(dict(state_dict=model.state_dict(), meta=dict()), path)
    return path


@pytest.fixture(scope='module')
def photo(tmp_path_factory):
    image, landmarks, _ = SyntheticFaceGenerator(7, image_size=120).sample()
    path = str(tmp_path_factory.mktemp('img') / 'face.jpg')
    cv2.imwrite(path, image)
    return path, landmarks


@pytest.mark.parametrize('with_box', [False, True])
def test_image_demo(checkpoint, photo, tmp_path, with_box):
    path, landmarks = photo
    out = str(tmp_path / 'out.png')
    argv = [path, CONFIG, checkpoint, '--out', out]
    if with_box:
        lo, hi = landmarks.min(0), landmarks.max(0)
        argv += ['--bbox'] + [f'{v:.1f}' for v in (*lo, *hi)]
    assert load_script().main(argv) == out
    picture = cv2.imread(out)
    # three panels of 256 px (photo, LR input, hallucinated face) + titles
    assert picture.shape[0] == 256 + 24
    assert picture.shape[1] > 3 * 256
    # the middle panel shows the LR face (32x32) with its pixels as blocks:
    # at most 32 distinct rows, where a smooth resize would give ~256
    low = picture[24:, picture.shape[1] // 2 - 60:picture.shape[1] // 2 + 60]
    assert len(np.unique(low.reshape(low.shape[0], -1), axis=0)) <= 32


def test_image_demo_bad_box(checkpoint, photo, tmp_path):
    path, _ = photo
    with pytest.raises(SystemExit, match='X2 > X1'):
        load_script().main([
            path, CONFIG, checkpoint, '--out',
            str(tmp_path / 'x.png'), '--bbox', '50', '50', '10', '80'
        ])


def test_image_demo_missing_image(checkpoint, tmp_path):
    with pytest.raises(SystemExit, match='not found'):
        load_script().main([
            str(tmp_path / 'nope.jpg'), CONFIG, checkpoint, '--out',
            str(tmp_path / 'x.png')
        ])


ASTRONAUT = osp.join(REPO, 'tests', 'assets', 'astronaut_face.jpg')


def test_image_demo_several_faces(checkpoint, tmp_path):
    """Two real faces: the Haar cascade finds both; the picture has the
    photo, then the LR input and the hallucinated face of each."""
    img = cv2.imread(ASTRONAUT)
    path = str(tmp_path / 'two.png')
    cv2.imwrite(path, np.hstack([img, cv2.flip(img, 1)]))
    out = str(tmp_path / 'out.png')
    load_script().main([path, CONFIG, checkpoint, '--out', out])
    picture = cv2.imread(out)
    # photo 512 wide (2:1) + 4 panels of 256, 6 px between panels
    assert picture.shape == (256 + 24, 512 + 4 * 256 + 4 * 6, 3)


def test_image_demo_folder_and_video(checkpoint, tmp_path):
    folder = tmp_path / 'photos'
    folder.mkdir()
    img = cv2.imread(ASTRONAUT)
    cv2.imwrite(str(folder / 'a.jpg'), img)
    cv2.imwrite(str(folder / 'b.png'), cv2.flip(img, 1))
    (folder / 'notes.txt').write_text('not a photo')  # not listed
    (folder / 'broken.jpg').write_bytes(b'not a JPEG')  # skipped, warned
    out_dir = str(tmp_path / 'vis')
    script = load_script()
    with pytest.warns(UserWarning, match='broken.jpg: not a decodable'):
        assert script.main([str(folder), CONFIG, checkpoint, '--out',
                            out_dir]) == out_dir
    assert sorted(os.listdir(out_dir)) == ['a.png', 'b.png']
    video = str(tmp_path / 'clip.avi')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'MJPG'), 5,
                             (120, 120))
    for shift in (0, 2, 4, 6):
        writer.write(np.roll(img, shift, axis=0))
    writer.release()
    out = str(tmp_path / 'clip_sht.avi')
    assert script.main([video, CONFIG, checkpoint, '--out', out]) == out
    cap = cv2.VideoCapture(out)
    assert cap.get(cv2.CAP_PROP_FRAME_COUNT) == 4
    ok, frame = cap.read()
    assert ok and frame.shape[0] == 256 + 24
    with pytest.raises(SystemExit, match='--bbox is for one image'):
        script.main([video, CONFIG, checkpoint, '--out', out, '--bbox', '1',
                     '1', '9', '9'])


def test_image_demo_warns_on_whole_image(checkpoint, tmp_path):
    from sht.apis import WholeImageWarning
    path = str(tmp_path / 'wall.png')
    cv2.imwrite(path, np.full((90, 90, 3), 170, np.uint8))
    with pytest.warns(WholeImageWarning, match='wall.png: no face found'):
        load_script().main(
            [path, CONFIG, checkpoint, '--out', str(tmp_path / 'x.png')])


def test_image_demo_not_an_image(checkpoint, tmp_path):
    path = tmp_path / 'face.jpg'
    path.write_text('text')
    with pytest.raises(SystemExit, match='face.jpg: not a decodable image'):
        load_script().main(
            [str(path), CONFIG, checkpoint, '--out', str(tmp_path / 'x.png')])
