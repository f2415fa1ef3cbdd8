"""Suite-wide test settings: CPU only, small thread count, headless plots."""
import os

os.environ.setdefault('MPLBACKEND', 'Agg')

import torch  # noqa: E402

torch.set_num_threads(2)
