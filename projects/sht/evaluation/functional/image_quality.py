"""PSNR and SSIM of a hallucinated face on the Y channel (Tables 1 and 5).

Conventions (the face-hallucination literature's, e.g. FSRNet, DIC):

- Y of ITU-R BT.601 YCbCr: ``Y = 16 + 65.481 R + 128.553 G + 24.966 B`` with
  R, G, B in [0, 1], so Y is in [16, 235]; Y is kept as a float (not
  rounded to an integer).
- ``crop_border`` pixels are removed from every side before measuring.
- PSNR with peak 255: ``10 log10(255^2 / MSE)``.
- SSIM (Wang et al. 2004) with an 11x11 Gaussian window (sigma 1.5),
  K1 = 0.01, K2 = 0.03, L = 255, population (1/N) statistics, averaged over
  the positions where the window lies fully inside the image.
"""
import numpy as np
from scipy.ndimage import correlate1d

#: BT.601 weights of R, G, B (inputs in [0, 1]) and the offset of Y.
BT601_Y_WEIGHTS = np.array([65.481, 128.553, 24.966])
BT601_Y_OFFSET = 16.0

SSIM_WINDOW_SIZE = 11
SSIM_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03
PEAK = 255.0


def _check_rgb_uint8(name: str, img: np.ndarray) -> np.ndarray:
    img = np.asarray(img)
    if img.dtype != np.uint8:
        raise TypeError(f'{name} must be a uint8 RGB image, got {img.dtype}')
    if img.ndim != 3 or img.shape[-1] != 3:
        raise ValueError(f'{name} must have shape (H, W, 3), got {img.shape}')
    return img


def rgb_to_y(img: np.ndarray) -> np.ndarray:
    """Luma Y of ITU-R BT.601 YCbCr.

    Args:
        img (np.ndarray): uint8 RGB image, shape (H, W, 3).

    Returns:
        np.ndarray: float64 Y in [16, 235], shape (H, W).
    """
    img = _check_rgb_uint8('img', img)
    return img.astype(np.float64) / 255.0 @ BT601_Y_WEIGHTS + BT601_Y_OFFSET


def _cropped_y_pair(sr: np.ndarray, hr: np.ndarray, crop_border: int):
    sr = _check_rgb_uint8('sr', sr)
    hr = _check_rgb_uint8('hr', hr)
    if sr.shape != hr.shape:
        raise ValueError(f'sr {sr.shape} and hr {hr.shape} differ in shape')
    if crop_border < 0:
        raise ValueError(f'crop_border must be >= 0, got {crop_border}')
    if 2 * crop_border >= min(hr.shape[:2]):
        raise ValueError(f'crop_border {crop_border} leaves nothing of a '
                         f'{hr.shape[0]}x{hr.shape[1]} image')
    sr_y, hr_y = rgb_to_y(sr), rgb_to_y(hr)
    if crop_border > 0:
        crop = (slice(crop_border, -crop_border), ) * 2
        sr_y, hr_y = sr_y[crop], hr_y[crop]
    return sr_y, hr_y


def psnr_y(sr: np.ndarray, hr: np.ndarray, crop_border: int = 0) -> float:
    """Peak signal-to-noise ratio on the Y channel.

    Args:
        sr (np.ndarray): Hallucinated face, uint8 RGB, shape (H, W, 3).
        hr (np.ndarray): Ground-truth HR face, uint8 RGB, shape (H, W, 3).
        crop_border (int): Pixels removed from each border first.

    Returns:
        float: PSNR in dB (``inf`` for identical Y channels).
    """
    sr_y, hr_y = _cropped_y_pair(sr, hr, crop_border)
    mse = np.mean((sr_y - hr_y)**2)
    if mse == 0:
        return float('inf')
    return float(10.0 * np.log10(PEAK**2 / mse))


def gaussian_window_1d(size: int = SSIM_WINDOW_SIZE,
                       sigma: float = SSIM_SIGMA) -> np.ndarray:
    """Normalised 1-D Gaussian; its outer product is the SSIM window.

    Args:
        size (int): Odd window length.
        sigma (float): Standard deviation in pixels.

    Returns:
        np.ndarray: Weights summing to 1, shape (size,).
    """
    radius = size // 2
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    weights = np.exp(-0.5 * (x / sigma)**2)
    return weights / weights.sum()


def _valid_filter(img: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Separable correlation, keeping positions where the window fits."""
    out = correlate1d(img, weights, axis=0, mode='constant')
    out = correlate1d(out, weights, axis=1, mode='constant')
    radius = weights.size // 2
    return out[radius:-radius, radius:-radius]


def ssim_y(sr: np.ndarray, hr: np.ndarray, crop_border: int = 0) -> float:
    """Structural similarity on the Y channel.

    ``SSIM = mean over windows of (2 mu_x mu_y + C1)(2 s_xy + C2) /
    ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2 + C2))`` with ``C1 = (K1 L)^2``,
    ``C2 = (K2 L)^2``, Gaussian-weighted local statistics.

    Args:
        sr (np.ndarray): Hallucinated face, uint8 RGB, shape (H, W, 3).
        hr (np.ndarray): Ground-truth HR face, uint8 RGB, shape (H, W, 3).
        crop_border (int): Pixels removed from each border first.

    Returns:
        float: Mean SSIM in [-1, 1].
    """
    sr_y, hr_y = _cropped_y_pair(sr, hr, crop_border)
    if min(sr_y.shape) < SSIM_WINDOW_SIZE:
        raise ValueError(f'SSIM needs at least {SSIM_WINDOW_SIZE}x'
                         f'{SSIM_WINDOW_SIZE} pixels after cropping, got '
                         f'{sr_y.shape[0]}x{sr_y.shape[1]}')
    weights = gaussian_window_1d()
    c1 = (SSIM_K1 * PEAK)**2
    c2 = (SSIM_K2 * PEAK)**2
    mu_x = _valid_filter(sr_y, weights)
    mu_y = _valid_filter(hr_y, weights)
    var_x = _valid_filter(sr_y * sr_y, weights) - mu_x**2
    var_y = _valid_filter(hr_y * hr_y, weights) - mu_y**2
    cov_xy = _valid_filter(sr_y * hr_y, weights) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov_xy + c2) /
                ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)))
    return float(ssim_map.mean())
