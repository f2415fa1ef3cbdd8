"""Pairs of views (Sec. 4.1): geometry of image pairs, frames of video pairs,
the view sampling distribution and pair_collate's order."""
import math

import cv2
import numpy as np
import pytest
import torch
from helpers.face_data import build_dataset, frame_image
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmpose.registry import TRANSFORMS

from sht.datasets import FacePairDataset, pair_collate

SIZE = 64
CODEC = dict(type='MSRAHeatmap', input_size=(SIZE, SIZE),
             heatmap_size=(16, 16), sigma=1)


def view_pipeline(pair_view=True):
    steps = [dict(type='LoadFaceImage'), dict(type='GetBBoxCenterScale')]
    if pair_view:
        steps.append(dict(type='RandomPairView'))
    steps += [
        dict(type='TopdownAffine', input_size=(SIZE, SIZE)),
        dict(type='GenerateTarget', encoder=CODEC),
        dict(type='PackFaceInputs', pack_transformed=True)
    ]
    return steps


def crop_transform(center, side, rotation_deg):
    """Image -> crop similarity by hand: rotate by -rotation about the box
    centre, scale side -> SIZE, centre -> crop centre. Returns (A, t)."""
    theta = math.radians(-rotation_deg)
    rot = np.array([[math.cos(theta), -math.sin(theta)],
                    [math.sin(theta), math.cos(theta)]])
    a = SIZE / side * rot
    t = np.array([SIZE / 2, SIZE / 2]) - a @ np.asarray(center)
    return a, t


def view_params(sample):
    meta = sample.metainfo
    return (np.asarray(meta['input_center'], float),
            float(np.asarray(meta['input_scale'])[0]), meta['view_rotation'])


@pytest.fixture(scope='module')
def image_pairs(face300w_root):
    root, _ = face300w_root
    faces = build_dataset(
        type='SHTFace300WDataset', data_root=root, raw_split='full')
    return FacePairDataset(faces, view_pipeline(), pair_mode='image')


def test_image_pair_geometry(image_pairs):
    np.random.seed(0)
    checked = 0
    for idx in range(len(image_pairs)):
        for _ in range(3):
            view_j, view_k = image_pairs[idx]
            s_j, s_k = view_j['data_samples'], view_k['data_samples']
            pair_ids = (s_j.metainfo['pair_id'], s_k.metainfo['pair_id'])
            assert pair_ids == (idx, idx)
            assert (s_j.metainfo['view'], s_k.metainfo['view']) == (0, 1)
            assert s_j.metainfo['labeled'] and s_k.metainfo['labeled']
            kp_j = s_j.gt_instances.transformed_keypoints[0]
            kp_k = s_k.gt_instances.transformed_keypoints[0]
            original = s_j.gt_instances.keypoints[0]
            a_j, t_j = crop_transform(*view_params(s_j))
            a_k, t_k = crop_transform(*view_params(s_k))
            # each view is the hand-made similarity of the image landmarks
            np.testing.assert_allclose(kp_j, original @ a_j.T + t_j,
                                       atol=1e-2)
            # view k = S(view j), S = T_k o T_j^-1 from the sampled params
            a = a_k @ np.linalg.inv(a_j)
            t = t_k - a @ t_j
            assert np.abs(kp_j @ a.T + t - kp_k).max() < 0.5
            # S is a similarity: rotation by -(rot_k - rot_j), scale s_j/s_k
            rot_diff = s_k.metainfo['view_rotation'] - \
                s_j.metainfo['view_rotation']
            assert math.degrees(math.atan2(a[1, 0], a[0, 0])) == \
                pytest.approx(-rot_diff, abs=1e-3)
            # and the pixels agree: warp view j by S onto view k
            img_j = view_j['inputs'].numpy().transpose(1, 2, 0).astype(
                np.float32)
            img_k = view_k['inputs'].numpy().transpose(1, 2, 0).astype(
                np.float32)
            warped = cv2.warpAffine(img_j, np.hstack([a, t[:, None]]),
                                    (SIZE, SIZE))
            inside = cv2.warpAffine(
                np.ones((SIZE, SIZE), np.float32),
                np.hstack([a, t[:, None]]), (SIZE, SIZE)) > 0.999
            inside &= cv2.warpAffine(
                np.ones((SIZE, SIZE), np.float32), np.eye(2, 3),
                (SIZE, SIZE)) > 0  # crop area
            if inside.sum() < 200:
                continue
            diff = np.abs(warped - img_k)[inside].mean()
            unrelated = np.abs(np.roll(img_k, 17, axis=1) - img_k)[inside]
            assert diff < 0.35 * unrelated.mean(), (diff, unrelated.mean())
            checked += 1
    assert checked >= len(image_pairs)


def test_pair_view_sampling_distribution():
    np.random.seed(1)
    view = TRANSFORMS.build(dict(type='RandomPairView'))
    rotations, scales = [], []
    for _ in range(3000):
        out = view(
            dict(bbox_center=np.array([[50., 50.]], np.float32),
                 bbox_scale=np.array([[80., 80.]], np.float32)))
        rotations.append(out['view_rotation'])
        scales.append(out['view_scale'])
        np.testing.assert_allclose(out['bbox_center'], [[50., 50.]])
        assert out['bbox_scale'][0, 0] == pytest.approx(
            80 * out['view_scale'], rel=1e-5)
    rotations, scales = np.array(rotations), np.array(scales)
    assert rotations.min() > -30 and rotations.max() < 30
    assert scales.min() > 0.8 and scales.max() < 1.2
    # z ~ N(0, 1) truncated to [-1, 1]: std by hand
    # 1 - 2 phi(1) / (Phi(1) - Phi(-1)) = 1 - 2 * 0.2419707 / 0.6826895
    z_std = math.sqrt(1 - 2 * 0.2419707 / 0.6826895)
    assert np.std(rotations / 30) == pytest.approx(z_std, abs=0.03)
    assert np.std((scales - 1) / 0.2) == pytest.approx(z_std, abs=0.03)
    assert abs(np.mean(rotations)) < 1.0
    assert abs(np.corrcoef(rotations, scales)[0, 1]) < 0.08


def video_pairs(dataset_type, root):
    """The frames of every video below ``root`` and their video pairs (no
    random view: the frames as they are)."""
    frames = build_dataset(type=dataset_type, data_root=root, raw_split='all')
    return frames, FacePairDataset(
        frames, view_pipeline(pair_view=False), pair_mode='video')


def test_video_pairs_are_two_frames_of_one_video(face300vw_root):
    frames, pairs = video_pairs('SHTFace300VWDataset', face300vw_root[0])
    np.random.seed(2)
    partners = {}
    for idx in range(len(pairs)):
        info = frames.get_data_info(idx)
        for _ in range(12):
            view_j, view_k = pairs[idx]
            m_j = view_j['data_samples'].metainfo
            m_k = view_k['data_samples'].metainfo
            assert m_j['video_id'] == m_k['video_id'] == info['video_id']
            assert m_j['frame_idx'] == info['frame_idx']
            partners.setdefault(idx, set()).add(m_k['frame_idx'])
            # the packed image of view k is that frame (brightness code)
            code = frame_image(m_k['frame_idx']).mean()
            center = view_k['inputs'].float()[:, 24:40, 24:40].mean()
            assert abs(float(center) - code) < 25
    for idx, seen in partners.items():
        info = frames.get_data_info(idx)
        if info['video_id'] == '114':  # one-frame video: paired with itself
            assert seen == {0}
        else:  # other frames of the 6-frame video, never itself
            assert info['frame_idx'] not in seen
            assert seen <= set(range(6)) and len(seen) >= 3


def test_unlabeled_frame_pairs(ytf_root):
    _, pairs = video_pairs('SHTFrameFolderDataset', ytf_root[0])
    for idx in range(len(pairs)):
        view_j, view_k = pairs[idx]
        for view in (view_j, view_k):
            meta = view['data_samples'].metainfo
            assert meta['labeled'] is False
            weights = view['data_samples'].gt_instance_labels.keypoint_weights
            assert float(weights.abs().sum()) == 0  # no heatmap loss
        assert view_j['data_samples'].metainfo['video_id'] == \
            view_k['data_samples'].metainfo['video_id']


def test_video_mode_needs_video_ids(image_pairs):
    with pytest.raises(ValueError, match='video_id'):
        FacePairDataset(image_pairs.dataset, [], pair_mode='video')


def test_pair_collate_order_and_dataloader(image_pairs):
    np.random.seed(3)
    batch = [image_pairs[i] for i in (2, 0, 1)]
    out = pair_collate(batch)
    samples = out['data_samples']
    assert len(out['inputs']) == len(samples) == 6
    assert [s.metainfo['view'] for s in samples] == [0, 1] * 3
    assert [s.metainfo['pair_id'] for s in samples[0::2]] == [2, 0, 1]
    assert [s.metainfo['pair_id'] for s in samples[1::2]] == [2, 0, 1]
    for i, (view_j, view_k) in enumerate(batch):
        assert torch.equal(out['inputs'][2 * i], view_j['inputs'])
        assert torch.equal(out['inputs'][2 * i + 1], view_k['inputs'])
    with pytest.raises(ValueError, match='pairs of 2 views'):
        pair_collate([[batch[0][0]]])
    init_default_scope('mmpose')
    loader = Runner.build_dataloader(
        dict(
            batch_size=2,
            num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='pair_collate'),
            dataset=image_pairs))
    first = next(iter(loader))
    assert len(first['inputs']) == 4
    assert [s.metainfo['pair_id'] for s in first['data_samples']] == \
        [0, 0, 1, 1]
