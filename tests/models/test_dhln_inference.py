"""mmpose's user APIs on a tiny DHLN checkpoint: init_model,
inference_topdown and MMPoseInferencer on a grayscale JPEG."""
import cv2
import numpy as np
import pytest
import torch
from helpers.tiny_models import draw_face, make_face_batch, tiny_model_cfg

TEST_CONFIG = '''
custom_imports = dict(imports=['sht'], allow_failed_imports=False)
default_scope = 'mmpose'
dataset_type = 'Face300WDataset'
data_mode = 'topdown'
codec = {codec!r}
model = {model!r}
test_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=codec['input_size']),
    dict(type='PackPoseInputs'),
]
test_dataloader = dict(
    batch_size=1,
    dataset=dict(
        type=dataset_type,
        data_root='',
        data_mode=data_mode,
        metainfo=dict(from_file='configs/_base_/datasets/300w.py'),
        test_mode=True,
        pipeline=test_pipeline))
visualizer = dict(
    type='PoseLocalVisualizer',
    vis_backends=[dict(type='LocalVisBackend')],
    name='visualizer')
'''


@pytest.fixture(scope='module')
def tiny_checkpoint(tmp_path_factory):
    """A config file, a checkpoint trained for a few steps, a gray JPEG."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    from mmpose.registry import MODELS

    root = tmp_path_factory.mktemp('dhln_tiny')
    model_cfg = tiny_model_cfg()
    model_cfg['test_cfg'] = dict(flip_test=True, shift_heatmap=True)
    cfg_path = root / 'dhln_tiny_face.py'
    cfg_path.write_text(
        TEST_CONFIG.format(
            codec=model_cfg['head']['decoder'], model=model_cfg))

    cfg = Config.fromfile(str(cfg_path))
    init_default_scope('mmpose')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    meta = parse_pose_metainfo(
        dict(from_file='configs/_base_/datasets/300w.py'))
    inputs, samples, _ = make_face_batch(model, cfg.codec, meta, 4, seed=5)
    optim = torch.optim.Adam(model.parameters(), lr=2e-3)
    model.train()
    for _ in range(5):
        optim.zero_grad()
        losses = model.loss(inputs, samples)
        sum(v for k, v in losses.items() if k.startswith('loss')).backward()
        optim.step()
    ckpt_path = root / 'dhln_tiny_face.pth'
    torch.save({
        'state_dict': model.state_dict(),
        'meta': dict(dataset_meta=meta)
    }, str(ckpt_path))

    img, _, _ = draw_face(64, np.random.default_rng(11))
    gray = cv2.cvtColor(img, cv2.COLOR_BGR2GRAY)
    img_path = root / 'face_gray.jpg'
    assert cv2.imwrite(str(img_path), gray)
    assert cv2.imread(str(img_path), cv2.IMREAD_UNCHANGED).ndim == 2
    return str(cfg_path), str(ckpt_path), str(img_path)


def test_init_model_and_inference_topdown(tiny_checkpoint):
    from mmpose.apis import inference_topdown, init_model
    cfg_path, ckpt_path, img_path = tiny_checkpoint
    model = init_model(cfg_path, ckpt_path, device='cpu')
    results = inference_topdown(model, img_path)
    assert len(results) == 1
    res = results[0]
    kpts = res.pred_instances.keypoints
    assert kpts.shape == (1, 68, 2)
    assert res.pred_instances.keypoint_scores.shape == (1, 68)
    face = res.pred_face.img
    assert face.shape == (3, 64, 64)
    assert float(face.min()) >= 0 and float(face.max()) <= 1
    # the input is grayscale, so the hallucinated face is nearly gray
    assert float((face[0] - face[1]).abs().mean()) < 0.1
    # keypoints are in image coordinates: the whole 64x64 image is the box,
    # padded by 1.25, so they lie within [-8, 72]
    valid = res.pred_instances.keypoint_scores[0] > 0
    assert np.all(kpts[0][valid] > -8.5) and np.all(kpts[0][valid] < 72.5)


def test_mmpose_inferencer_draws_landmarks(tiny_checkpoint):
    from mmpose.apis import MMPoseInferencer
    cfg_path, ckpt_path, img_path = tiny_checkpoint
    inferencer = MMPoseInferencer(
        pose2d=cfg_path,
        pose2d_weights=ckpt_path,
        det_model='whole_image',
        device='cpu')
    out = next(
        inferencer(
            img_path, return_vis=True, kpt_thr=-1e9, draw_bbox=False,
            radius=2))
    pred = out['predictions'][0][0]
    kpts = np.asarray(pred['keypoints'])
    assert kpts.shape == (68, 2)
    vis = out['visualization'][0]
    src = cv2.cvtColor(cv2.imread(img_path), cv2.COLOR_BGR2RGB)
    assert vis.shape == src.shape
    changed = np.any(vis.astype(int) != src.astype(int), axis=-1)
    h, w = changed.shape
    inside = [(int(round(x)), int(round(y))) for x, y in kpts
              if 0 <= round(x) < w and 0 <= round(y) < h]
    assert inside, 'no predicted landmark inside the image'
    # the pixel under every landmark inside the image was drawn over ...
    assert all(changed[y, x] for x, y in inside)
    # ... and drawing stays near the landmarks (radius 2 + antialiasing)
    near = np.zeros_like(changed)
    for x, y in inside:
        near[max(0, y - 4):y + 5, max(0, x - 4):x + 5] = True
    assert not np.any(changed & ~near)


def test_predictions_hold_one_sample_each(dataset_meta):
    """tools/test.py --dump pickles every sample: its face and heatmaps
    must be copies of the sample's own size, not views of the batch."""
    import pickle

    from mmengine.registry import init_default_scope
    from mmpose.registry import MODELS
    init_default_scope('mmpose')
    cfg = tiny_model_cfg()
    cfg['test_cfg'] = dict(flip_test=False, output_heatmaps=True)
    torch.manual_seed(0)
    model = MODELS.build(cfg).eval()
    sizes = {}
    for num in (1, 6):
        inputs, samples, _ = make_face_batch(
            model, cfg['head']['decoder'], dataset_meta, num, train=False)
        with torch.no_grad():
            results = model.predict(inputs, samples)
        for res in results:
            for tensor in (res.pred_face.img, res.pred_fields.heatmaps):
                assert tensor.untyped_storage().nbytes() == \
                    tensor.numel() * tensor.element_size()
        sizes[num] = len(pickle.dumps(results[0]))
    assert sizes[6] < 1.05 * sizes[1]
