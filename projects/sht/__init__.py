"""SHT: Supervision-by-Hallucination-and-Transfer for mmpose.

Importing this package registers every SHT module (models, datasets,
transforms, metrics, hooks) into mmpose's registries.
"""
from . import datasets, engine, evaluation, models  # noqa: F401

__version__ = '0.1.0'
