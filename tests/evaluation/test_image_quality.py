"""PSNR / SSIM on the BT.601 Y channel against scikit-image."""
import numpy as np
import pytest
from skimage.color import rgb2ycbcr
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from sht.evaluation.functional import psnr_y, rgb_to_y, ssim_y


def face_pair(size=48, noise=12.0, seed=0):
    """A smooth synthetic 'face' and a noisy, blurred copy (uint8 RGB)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / size
    base = np.stack([
        180 * np.exp(-((xx - .5)**2 + (yy - .45)**2) * 6) + 40,
        120 + 60 * np.sin(6 * xx) * np.cos(4 * yy),
        90 + 100 * yy,
    ], axis=-1)
    hr = np.clip(base + rng.normal(0, 5, base.shape), 0, 255).astype(np.uint8)
    sr = np.clip(hr + rng.normal(0, noise, hr.shape), 0, 255).astype(np.uint8)
    return sr, hr


def skimage_y(img):
    return rgb2ycbcr(img)[..., 0]


def test_rgb_to_y_matches_skimage_and_bt601_range():
    sr, _ = face_pair()
    np.testing.assert_allclose(rgb_to_y(sr), skimage_y(sr), atol=1e-9)
    corners = np.array([[[0, 0, 0], [255, 255, 255]]], dtype=np.uint8)
    np.testing.assert_allclose(rgb_to_y(corners)[0], [16.0, 235.0])


@pytest.mark.parametrize('crop_border', [0, 4])
def test_psnr_y_matches_skimage(crop_border):
    sr, hr = face_pair()
    c = slice(crop_border, sr.shape[0] - crop_border)
    ref = peak_signal_noise_ratio(
        skimage_y(hr)[c, c], skimage_y(sr)[c, c], data_range=255)
    assert psnr_y(sr, hr, crop_border) == pytest.approx(ref, abs=1e-9)


@pytest.mark.parametrize('crop_border,noise', [(0, 12.0), (4, 30.0)])
def test_ssim_y_matches_skimage(crop_border, noise):
    sr, hr = face_pair(noise=noise, seed=3)
    c = slice(crop_border, sr.shape[0] - crop_border)
    ref = structural_similarity(
        skimage_y(sr)[c, c],
        skimage_y(hr)[c, c],
        gaussian_weights=True,
        sigma=1.5,
        use_sample_covariance=False,
        data_range=255)
    ours = ssim_y(sr, hr, crop_border)
    assert ours == pytest.approx(ref, abs=1e-9)
    assert 0 < ours < 1


def test_identical_images_give_inf_psnr_and_unit_ssim():
    _, hr = face_pair()
    assert psnr_y(hr, hr) == float('inf')
    assert ssim_y(hr, hr) == pytest.approx(1.0)


def test_bad_images_raise():
    sr, hr = face_pair()
    with pytest.raises(TypeError, match='uint8'):
        psnr_y(sr.astype(np.float32), hr)
    with pytest.raises(ValueError, match='differ'):
        ssim_y(sr[:40], hr)
    with pytest.raises(ValueError, match='11x11'):
        ssim_y(sr, hr, crop_border=20)
