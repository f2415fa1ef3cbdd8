"""``SHTRunner``: mmengine's Runner with checked checkpoint loading.

``tools/train.py`` and ``tools/test.py`` build it (unless the config names
its own ``runner_type``). Compared with mmengine's Runner:

- loading (``load_from``, resuming, testing) fails with a
  :class:`~sht.engine.checkpoint_keys.CheckpointKeysError` naming the file
  and a few keys when the checkpoint lacks a weight of the model, holds
  one the model does not have or one of another shape, instead of logging
  a warning and going on with random weights. FPTN (training-only) may be absent as a whole: a
  DHLN checkpoint starts SHT fine-tuning. Every rank raises, so a
  distributed run stops instead of hanging;
- a damaged (empty, truncated, corrupt) local checkpoint is a
  :class:`~sht.engine.checkpoint_files.CheckpointFileError` naming it;
- an automatic resume (``resume=True`` without ``load_from``) whose
  ``last_checkpoint`` is empty or names a damaged file warns, naming it,
  and resumes from the previous complete checkpoint of the work dir.
"""
from typing import Callable, List, Optional, Sequence, Tuple, Union

from mmengine.runner import Runner
from mmpose.registry import RUNNERS

from .checkpoint_files import check_checkpoint_file, resolve_auto_resume
from .checkpoint_keys import check_loaded_keys
from ..utils import unwrap_model

DEFAULT_REVISE_KEYS = [(r'^module.', '')]


@RUNNERS.register_module()
class SHTRunner(Runner):
    """mmengine ``Runner`` whose checkpoint loading is checked (see the
    module docstring); everything else is mmengine's."""

    def load_checkpoint(self,
                        filename: str,
                        map_location: Union[str, Callable] = 'cpu',
                        strict: bool = False,
                        revise_keys: Optional[Sequence[Tuple[str, str]]] = None
                        ) -> dict:
        """Load a checkpoint into the model (mmengine's, then checked).

        Args:
            filename: The checkpoint (local path or URL).
            map_location: As in mmengine.
            strict: As in mmengine (which raises on rank 0 only; this
                method raises on every rank anyway).
            revise_keys: As in mmengine (default: drop a leading
                ``module.``).

        Returns:
            dict: The loaded checkpoint.

        Raises:
            CheckpointFileError: A local file that is empty or truncated.
            CheckpointKeysError: Missing or unexpected weights, or weights
                of another shape than the model's.
        """
        check_checkpoint_file(filename)
        model = unwrap_model(self.model)
        loads: List[Tuple[List[str], List[str]]] = []
        reshaped: List[str] = []

        def shapes(module, state_dict, prefix, *args) -> None:
            # runs after the model's own pre-hooks (keys already renamed)
            own = module.state_dict()
            reshaped.extend(
                f'{key} {tuple(value.shape)} vs {tuple(own[key].shape)}'
                for key, value in state_dict.items()
                if key in own and hasattr(value, 'shape')
                and tuple(value.shape) != tuple(own[key].shape))

        def record(module, incompatible) -> None:
            loads.append((list(incompatible.missing_keys),
                          list(incompatible.unexpected_keys)))

        handles = (model.register_load_state_dict_pre_hook(shapes),
                   model.register_load_state_dict_post_hook(record))
        try:
            checkpoint = super().load_checkpoint(
                filename, map_location, strict,
                list(revise_keys or DEFAULT_REVISE_KEYS))
        finally:
            for handle in handles:
                handle.remove()
        missing, unexpected = loads[-1] if loads else ([], [])
        check_loaded_keys(
            filename, missing, unexpected,
            found=checkpoint.get('state_dict', checkpoint),
            model_name=type(model).__name__,
            reshaped=reshaped)
        return checkpoint

    def resume(self,
               filename: str,
               resume_optimizer: bool = True,
               resume_param_scheduler: bool = True,
               map_location: Union[str, Callable] = 'default') -> None:
        """Resume training (mmengine's), from the previous complete
        checkpoint when ``last_checkpoint`` of an automatic resume is empty
        or names a damaged file.

        Args:
            filename: The checkpoint; for an automatic resume what
                ``last_checkpoint`` names (``''`` when it is empty).
            resume_optimizer: As in mmengine.
            resume_param_scheduler: As in mmengine.
            map_location: As in mmengine.
        """
        if self.cfg.get('load_from', None) is None:
            # automatic resume: mmengine read the name from last_checkpoint
            filename = resolve_auto_resume(self.work_dir, filename)
        super().resume(filename, resume_optimizer, resume_param_scheduler,
                       map_location)
