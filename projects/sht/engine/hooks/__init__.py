"""Training hooks of SHT: the phases of the recipe (Sec. 4.1) and the NaN
guard."""
from .nan_guard import SHTNaNGuardHook, non_finite_terms
from .phase_data import PhaseDataIterator
from .phase_hook import PHASE_INFO_KEY, SHTPhaseHook, unwrap_model
from .phase_schedule import (DEFAULT_FROZEN, PAPER_PHASE_MODES, PhaseSchedule,
                             TrainingPhase)

__all__ = [
    'SHTPhaseHook', 'SHTNaNGuardHook', 'PhaseSchedule', 'TrainingPhase',
    'PhaseDataIterator', 'PAPER_PHASE_MODES', 'DEFAULT_FROZEN',
    'PHASE_INFO_KEY', 'non_finite_terms', 'unwrap_model'
]
