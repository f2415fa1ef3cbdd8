"""Suite-wide test settings: CPU only, small thread count, headless plots."""
import os

os.environ.setdefault('MPLBACKEND', 'Agg')

import torch  # noqa: E402

# Tiny models: one thread is faster than two when other processes share the
# two cores (thread hand-offs dominate such small convolutions).
torch.set_num_threads(1)
