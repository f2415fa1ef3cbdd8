"""SHT face datasets, pairs of views, labeled/unlabeled mixing and
transforms (importing this package registers them in mmpose's registries)."""
from .base import FaceLandmarkDataset, mmpose_metainfo, sht_metainfo
from .errors import FaceDataError, InvalidSamplePolicy
from .face_datasets import (SHTAFLWDataset, SHTCelebADataset,
                            SHTFace300VWDataset, SHTFace300WDataset,
                            SHTFrameFolderDataset, SHTHelenDataset,
                            SHTWFLWDataset)
from .mixing import LabeledUnlabeledDataset, MixedRatioSampler
from .pairs import FacePairDataset, pair_collate
from .transforms import LoadFaceImage, PackFaceInputs, RandomPairView

__all__ = [
    'FaceLandmarkDataset', 'mmpose_metainfo', 'sht_metainfo',
    'FaceDataError', 'InvalidSamplePolicy', 'SHTFace300WDataset',
    'SHTWFLWDataset', 'SHTAFLWDataset', 'SHTCelebADataset', 'SHTHelenDataset',
    'SHTFace300VWDataset', 'SHTFrameFolderDataset', 'FacePairDataset',
    'pair_collate', 'LabeledUnlabeledDataset', 'MixedRatioSampler',
    'LoadFaceImage', 'RandomPairView', 'PackFaceInputs'
]
