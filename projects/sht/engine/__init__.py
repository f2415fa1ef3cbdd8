"""SHT training machinery (importing it registers the hooks and the
runner)."""
from .checkpoint_files import (CheckpointFileError, checkpoint_damage,
                               resolve_auto_resume)
from .checkpoint_keys import (CheckpointKeysError, strip_wrapper_segments,
                              unwrap_checkpoint_keys,
                              unwrapped_state_dict_hook)
from .hooks import (PhaseDataIterator, PhaseSchedule, SHTNaNGuardHook,
                    SHTPhaseHook, TrainingPhase)
from .runner import SHTRunner

__all__ = [
    'SHTPhaseHook', 'SHTNaNGuardHook', 'PhaseSchedule', 'TrainingPhase',
    'PhaseDataIterator', 'SHTRunner', 'CheckpointKeysError',
    'CheckpointFileError', 'checkpoint_damage', 'resolve_auto_resume',
    'strip_wrapper_segments', 'unwrap_checkpoint_keys',
    'unwrapped_state_dict_hook'
]
