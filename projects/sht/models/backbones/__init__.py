"""DHLN backbone and its building blocks."""
from .dhln import DHLN
from .fusion_blocks import FUBlock1, FUBlock2, PoseResidualBlock
from .hourglass import Bottleneck, Hourglass, HourglassStem, StackNeck
from .sr_blocks import SRBlock, SRModule, SRTail

__all__ = [
    'DHLN', 'FUBlock1', 'FUBlock2', 'PoseResidualBlock', 'Bottleneck',
    'Hourglass', 'HourglassStem', 'StackNeck', 'SRBlock', 'SRModule', 'SRTail'
]
