"""The SHT train loop: the phases of the recipe (Sec. 4.1) in one run."""
from .phase_batches import InfiniteBatches, PhaseBatches
from .phase_schedule import (DEFAULT_FROZEN, PAPER_PHASE_MODES, PhaseSchedule,
                             TrainingPhase, run_phase_specs)
from .sht_train_loop import (PHASE_INFO_KEY, FiniteOutputsHook, SHTTrainLoop,
                             planned_iters)

__all__ = [
    'SHTTrainLoop', 'FiniteOutputsHook', 'PhaseSchedule', 'TrainingPhase',
    'PhaseBatches', 'InfiniteBatches', 'PAPER_PHASE_MODES', 'DEFAULT_FROZEN',
    'PHASE_INFO_KEY', 'planned_iters', 'run_phase_specs'
]
