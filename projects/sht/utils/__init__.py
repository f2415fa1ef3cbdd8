"""Helpers shared across the SHT package (each lives here once)."""
from .finite import check_finite_losses, non_finite_terms
from .modules import check_names_match, unwrap_model

__all__ = [
    'check_finite_losses', 'check_names_match', 'non_finite_terms',
    'unwrap_model',
    'prepare_cpu_distributed'
]


def __getattr__(name: str):
    # launching imports the runner (and with it the whole engine): loaded on
    # first use, so that the models can import these helpers
    if name == 'prepare_cpu_distributed':
        from .launch import prepare_cpu_distributed
        return prepare_cpu_distributed
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')
