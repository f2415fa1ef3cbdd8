"""DHLN head (Eq. 4 loss, heatmap decoding)."""
from .dhln_head import DHLNHead

__all__ = ['DHLNHead']
