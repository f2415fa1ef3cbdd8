"""SHT training machinery (importing it registers the hooks)."""
from .hooks import (PhaseDataIterator, PhaseSchedule, SHTNaNGuardHook,
                    SHTPhaseHook, TrainingPhase)

__all__ = [
    'SHTPhaseHook', 'SHTNaNGuardHook', 'PhaseSchedule', 'TrainingPhase',
    'PhaseDataIterator'
]
