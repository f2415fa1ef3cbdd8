"""SHT: Supervision-by-Hallucination-and-Transfer for mmpose.

Importing this package registers every SHT module (models, datasets,
transforms, metrics, hooks) into mmpose's registries.
"""
import warnings



def _import_mmengine_quietly() -> None:
    """Import mmengine's optimizers without torch 2.5's TorchScript notice.

    torch 2.5 warns (under its own ``simplefilter('always')``, so no warning
    filter reaches it) that TorchScript functional optimizers are deprecated,
    when mmengine imports ``torch.distributed.optim``. It concerns neither
    mmengine's use nor ours; only that one message is hidden.
    """
    show = warnings.showwarning

    def _show(message, category, *args, **kwargs):
        if 'TorchScript' not in str(message):
            show(message, category, *args, **kwargs)

    warnings.showwarning = _show
    try:
        import mmengine.optim  # noqa: F401
    finally:
        warnings.showwarning = show


_import_mmengine_quietly()

from . import datasets, engine, evaluation, models  # noqa: E402,F401

__version__ = '0.1.0'
