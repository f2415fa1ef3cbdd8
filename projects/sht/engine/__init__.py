"""SHT training machinery (importing it registers the train loop, the hooks
and the runner)."""
from .checkpoint_files import (CheckpointFileError, checkpoint_damage,
                               resolve_auto_resume)
from .checkpoint_keys import (CheckpointKeysError, strip_wrapper_segments,
                              unwrap_checkpoint_keys,
                              unwrapped_state_dict_hook)
from .divergence import (checkpoint_candidates, checkpoint_problem,
                         good_checkpoint, stop_message)
from .hooks import ResumeLRFromConfigHook
from .loops import (PhaseSchedule, SHTTrainLoop, TrainingPhase,
                    planned_iters)
from .runner import SHTRunner

__all__ = [
    'SHTTrainLoop', 'PhaseSchedule', 'TrainingPhase', 'planned_iters',
    'ResumeLRFromConfigHook', 'checkpoint_problem', 'checkpoint_candidates',
    'good_checkpoint', 'stop_message', 'SHTRunner', 'CheckpointKeysError',
    'CheckpointFileError', 'checkpoint_damage', 'resolve_auto_resume',
    'strip_wrapper_segments', 'unwrap_checkpoint_keys',
    'unwrapped_state_dict_hook'
]
