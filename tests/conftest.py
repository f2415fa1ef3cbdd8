"""Suite-wide test settings: CPU only, small thread count, headless plots.

Fixtures used by the tests of more than one folder live here; a folder's
own ``conftest.py`` holds the fixtures only its tests use. Shared helper
code is the ``helpers`` package next to this file.
"""
import os

os.environ.setdefault('MPLBACKEND', 'Agg')

import pytest  # noqa: E402
import torch  # noqa: E402

# Tiny models: one thread is faster than two when other processes share the
# two cores (thread hand-offs dominate such small convolutions).
torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def single_thread():
    """Every test starts on one thread, whatever an earlier test (or the
    code it ran) set; the previous setting is restored after."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
