"""Training hooks of SHT: resuming with the config's learning rates."""
from .resume_lr import (RESUME_LR_KEY, ResumeLRFromConfigHook,
                        apply_config_lrs, config_lrs, resume_command)

__all__ = [
    'RESUME_LR_KEY', 'ResumeLRFromConfigHook', 'apply_config_lrs',
    'config_lrs', 'resume_command'
]
