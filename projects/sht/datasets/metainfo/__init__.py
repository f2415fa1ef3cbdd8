"""Keypoint metainfo files (mmpose format) of datasets mmpose does not
ship; loaded with ``dict(from_file=...)`` by absolute path.

Also the helpers that let dataset wrappers (pairs of views, labeled +
unlabeled mixing) take a ``metainfo`` argument: mmpose's ``init_model``
and ``MMPoseInferencer`` read the keypoint layout from
``train_dataloader.dataset.metainfo`` of the config when a wrapper is the
training set, so a wrapper config names the metainfo of the faces it holds.
"""
import copy
from typing import Optional

#: the fields a wrapper's given metainfo must share with its faces'
CHECKED_FIELDS = ('dataset_name', 'num_keypoints', 'flip_indices')


def inherit_metainfo(cfg: dict, metainfo: dict) -> dict:
    """A copy of a dataset config whose innermost dataset config gets
    ``metainfo`` unless it sets its own.

    Args:
        cfg (dict): Dataset config, possibly a wrapper with ``dataset``
            entries (``FacePairDataset``).
        metainfo (dict): mmpose metainfo (a full dict or ``from_file``).

    Returns:
        dict: The new config.
    """
    cfg = copy.deepcopy(cfg)
    inner = cfg
    while isinstance(inner.get('dataset'), dict):
        inner = inner['dataset']
    inner.setdefault('metainfo', copy.deepcopy(metainfo))
    return cfg


def check_same_faces(given: Optional[dict], actual: dict,
                     wrapper: str) -> None:
    """Raise when a wrapper's ``metainfo`` argument names other faces than
    those of its dataset.

    Args:
        given (dict, optional): The wrapper's ``metainfo`` argument
            (unparsed; None skips the check).
        actual (dict): The wrapped dataset's parsed metainfo.
        wrapper (str): Name used in the message.
    """
    if given is None:
        return
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    parsed = parse_pose_metainfo(copy.deepcopy(dict(given)))
    for field in CHECKED_FIELDS:
        want, got = parsed.get(field), actual.get(field)
        if field == 'flip_indices':
            want, got = list(map(int, want)), list(map(int, got or ()))
        if want != got:
            raise ValueError(
                f'{wrapper}: metainfo gives {field}={want!r} but the faces '
                f'it holds have {field}={got!r}; name the metainfo of the '
                'wrapped dataset (or leave metainfo out)')
