"""DHLN head (Eq. 4 loss, heatmap decoding)."""
from .dhln_head import DHLNHead
from .heatmap_targets import stack_gt_heatmaps

__all__ = ['DHLNHead', 'stack_gt_heatmaps']
