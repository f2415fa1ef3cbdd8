"""Eq. 7 (L1) and Eq. 8 (perceptual L1 on VGG-19 relu1_2) of FPTN.

phi in Eq. 8 is VGG-19 up to the output of its conv1_2 layer after the ReLU
(``torchvision.models.vgg19().features[:4]``: conv1_1, ReLU, conv1_2, ReLU).
The network is frozen and kept in eval mode; inputs are RGB in [0, 1],
normalised with the ImageNet mean and std as torchvision's weights expect.

There is no download at run time: the weights come from a local file named
in the config (``vgg_weights``), either a torchvision ``vgg19`` state dict
(keys ``features.0.weight`` ...) or a features-only one (keys ``0.weight``
...). Without a file the layers keep torchvision's random initialisation and
a warning says so (fine for tests, meaningless for training).
"""
import logging
from typing import Dict, Optional

import torch
from mmengine.logging import print_log
from mmpose.registry import MODELS
from torch import Tensor, nn
from torchvision.models.vgg import make_layers

from ..losses.reduction import per_image_sum

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# Keys of vgg19().features[:4] (conv1_1 and conv1_2).
RELU1_2_KEYS = ('0.weight', '0.bias', '2.weight', '2.bias')


def l1_loss(generated: Tensor, target: Tensor) -> Tensor:
    """Eq. 7: ||I_ger - I_tar||_1 of each image, averaged over the batch
    (the project's loss convention, ``sht.models.losses.reduction``).

    Args:
        generated (Tensor): I_ger (N, 3, H, W).
        target (Tensor): I_tar (N, 3, H, W).

    Returns:
        Tensor: Scalar.
    """
    return per_image_sum((generated - target).abs())


def build_vgg19_relu1_2() -> nn.Sequential:
    """The layers of ``torchvision.models.vgg19().features[:4]``.

    Built with torchvision's ``make_layers`` (same modules and state-dict
    keys) and initialised as torchvision's ``VGG`` does (Kaiming normal,
    fan-out, zero bias), without building the 140M-parameter classifier.
    """
    layers = make_layers([64, 64], batch_norm=False)
    for module in layers.modules():
        if isinstance(module, nn.Conv2d):
            nn.init.kaiming_normal_(
                module.weight, mode='fan_out', nonlinearity='relu')
            nn.init.constant_(module.bias, 0)
    return layers


def load_relu1_2_weights(path: str) -> Dict[str, Tensor]:
    """Read conv1_1 and conv1_2 weights from a local VGG-19 file.

    Args:
        path (str): A torchvision ``vgg19`` state dict (``features.N.*``
            keys), a features-only state dict (``N.*`` keys), or either one
            under a ``state_dict`` entry.

    Returns:
        dict[str, Tensor]: The four tensors, keyed as in ``features[:4]``.
    """
    try:
        checkpoint = torch.load(path, map_location='cpu', weights_only=True)
    except FileNotFoundError as error:
        raise FileNotFoundError(
            f'{path}: VGG-19 weight file not found (vgg_weights in the '
            'FPTN config)') from error
    if isinstance(checkpoint, dict) and 'state_dict' in checkpoint:
        checkpoint = checkpoint['state_dict']
    if not isinstance(checkpoint, dict):
        raise ValueError(f'{path}: expected a VGG-19 state dict, got a '
                         f'{type(checkpoint).__name__}')
    state = {}
    for key in RELU1_2_KEYS:
        for prefix in ('features.', ''):
            if prefix + key in checkpoint:
                state[key] = checkpoint[prefix + key]
                break
    missing = [key for key in RELU1_2_KEYS if key not in state]
    if missing:
        raise KeyError(
            f'{path}: not a VGG-19 state dict, missing conv1_1/conv1_2 '
            f'weights {missing} (expected keys features.0.weight, '
            'features.0.bias, features.2.weight, features.2.bias, or the '
            'same without the "features." prefix)')
    return state


@MODELS.register_module()
class VGGPerceptualL1Loss(nn.Module):
    """Eq. 8: ||phi(I_ger) - phi(I_tar)||_1 with phi = VGG-19 relu1_2.

    Args:
        vgg_weights (str, optional): Local VGG-19 weight file (see
            :func:`load_relu1_2_weights`). ``None`` keeps random weights and
            logs a warning. Default: None.

    The file is read when the loss is first put in training mode (the
    runner's ``model.train()``) or first called, not when it is built: an
    inference model built from a training config (e.g. by mmpose's
    ``MMPoseInferencer``) never needs it.
    """

    def __init__(self, vgg_weights: Optional[str] = None) -> None:
        super().__init__()
        self.features = build_vgg19_relu1_2()
        self.vgg_weights = vgg_weights
        self._weights_loaded = False
        self.features.requires_grad_(False)
        self.features.eval()
        self.register_buffer(
            'mean', torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1),
            persistent=False)
        self.register_buffer(
            'std', torch.tensor(IMAGENET_STD).view(1, 3, 1, 1),
            persistent=False)

    def load_weights(self) -> None:
        """Read ``vgg_weights`` into phi once (a warning without a file)."""
        if self._weights_loaded:
            return
        if self.vgg_weights is None:
            print_log(
                'VGGPerceptualL1Loss: no vgg_weights file given, the '
                'perceptual loss (Eq. 8) runs on RANDOMLY initialised '
                'VGG-19 relu1_2 features',
                logger='current',
                level=logging.WARNING)
        else:
            self.features.load_state_dict(
                load_relu1_2_weights(self.vgg_weights))
        self._weights_loaded = True

    def train(self, mode: bool = True) -> 'VGGPerceptualL1Loss':
        """Keep the frozen feature extractor in eval mode; entering training
        reads the weight file (:meth:`load_weights`)."""
        super().train(mode)
        if mode:
            self.load_weights()
        self.features.eval()
        return self

    def relu1_2(self, images: Tensor) -> Tensor:
        """phi: (N, 3, H, W) RGB in [0, 1] -> (N, 64, H, W) relu1_2."""
        return self.features((images - self.mean) / self.std)

    def forward(self, generated: Tensor, target: Tensor) -> Tensor:
        """Eq. 8: ||phi(I_ger) - phi(I_tar)||_1 of each image (summed over
        the 64 relu1_2 channels and the pixels), averaged over the batch.

        Args:
            generated (Tensor): I_ger (N, 3, H, W), RGB in [0, 1].
            target (Tensor): I_tar (N, 3, H, W), RGB in [0, 1].

        Returns:
            Tensor: Scalar.
        """
        self.load_weights()
        return per_image_sum(
            (self.relu1_2(generated) - self.relu1_2(target)).abs())
