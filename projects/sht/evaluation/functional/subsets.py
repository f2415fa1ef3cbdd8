"""Grouping per-image values by the subset tags a dataset gives each sample.

A sample may belong to several subsets (a 300W common image is in
``('common', 'full')``, a WFLW image in ``('test', 'pose', 'blur')``), so
one evaluation run yields the figures of every subset.
"""
from typing import Dict, Sequence

import numpy as np


def group_by_subset(values: np.ndarray,
                    subsets: Sequence[Sequence[str]],
                    overall: str = 'all') -> Dict[str, np.ndarray]:
    """Group per-image values by subset tag.

    Args:
        values (np.ndarray): One value per image, shape (N,).
        subsets (Sequence[Sequence[str]]): The subset tags of each image
            (length N); an image may have several tags or none.
        overall (str): Name of the group that holds every image. A tag of
            that name is accepted only when every image has it (it then
            adds nothing).

    Returns:
        dict[str, np.ndarray]: ``overall`` first, then every tag in order of
        first appearance, each mapped to the values of its images.
    """
    values = np.asarray(values, dtype=np.float64).reshape(-1)
    if len(subsets) != values.size:
        raise ValueError(
            f'{values.size} values but {len(subsets)} sets of subset tags')
    order = []
    for tags in subsets:
        if isinstance(tags, str):
            raise TypeError('each sample\'s subsets must be a sequence of '
                            f'str, got the str {tags!r}')
        for tag in tags:
            if tag != overall and tag not in order:
                order.append(tag)
    tagged_overall = [overall in tags for tags in subsets]
    if any(tagged_overall) and not all(tagged_overall):
        raise ValueError(f'subset tag {overall!r} names the whole set, but '
                         f'only {sum(tagged_overall)} of {len(subsets)} '
                         'samples carry it')
    groups = {overall: values}
    for tag in order:
        member = np.array([tag in tags for tags in subsets], dtype=bool)
        groups[tag] = values[member]
    return groups
