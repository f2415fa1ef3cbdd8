"""State-dict keys of SHT checkpoints, with and without distributed wrappers.

``MMSeparateDistributedDataParallel`` wraps every sub-network of the model
(``backbone``, ``head``, ``generator``, ``discriminator_a``, ...) in its own
DDP, so a plain ``state_dict()`` of the model names its weights
``backbone.module.*`` instead of ``backbone.*``. The helpers here give one
spelling:

- :func:`unwrapped_state_dict_hook` (a ``state_dict`` post-hook of the
  model) writes the wrapper-free keys, so checkpoints of distributed and
  single-process runs hold the same keys, in the same order;
- :func:`unwrap_checkpoint_keys` (called by the model's load pre-hook)
  renames ``<child>.module.*`` entries of an older checkpoint to
  ``<child>.*``;
- :func:`rename_legacy_fptn_keys` (also called by the load pre-hook)
  renames the ``fptn.<child>.*`` entries of checkpoints written when FPTN
  was one child of the model to today's ``<child>.*``;
- :func:`check_loaded_keys` turns the missing or unexpected keys of a load
  into a :class:`CheckpointKeysError` naming the file and a few keys.

The training-only entries of an SHT checkpoint are those of the children
named in :data:`FPTN_CHILDREN` (FPTN's players and loss modules).
"""
from typing import (Dict, Iterable, List, MutableMapping, Optional, Sequence,
                    Tuple)

from mmengine.model import is_model_wrapper
from torch import nn

#: the attribute name under which a distributed wrapper holds its module
WRAPPER_SEGMENT = 'module'
#: the training-only children of ``SHTEstimator``: FPTN's generator, D_A,
#: D_S and its loss modules (the frozen VGG of Eq. 8 has weights too)
FPTN_CHILDREN = ('generator', 'discriminator_a', 'discriminator_s',
                 'gan_loss', 'perceptual_loss')
#: where older checkpoints hold those children (``fptn.generator.*``)
LEGACY_FPTN_PREFIX = 'fptn.'
#: training-only sub-networks a checkpoint may lack as a whole (a DHLN
#: checkpoint starts SHT fine-tuning; FPTN then keeps its initialisation)
OPTIONAL_PREFIXES = tuple(f'{name}.' for name in FPTN_CHILDREN) + (
    LEGACY_FPTN_PREFIX, )
#: keys listed in an error message, per kind
SHOWN_KEYS = 5


class CheckpointKeysError(RuntimeError):
    """A checkpoint's weights do not match the model's (missing or
    unexpected keys); the message names the file and a few keys."""


def _rename_keys(state_dict: MutableMapping, renames: Dict[str, str]) -> None:
    """Rename entries in place, keeping the order of all entries.

    Args:
        state_dict: Ordered mapping (insertion order is the key order).
        renames: Old key -> new key; no new key may already be present.
    """
    if not renames:
        return
    keys = list(state_dict)
    first = min(keys.index(key) for key in renames)
    tail = [(key, state_dict.pop(key)) for key in keys[first:]]
    for key, value in tail:
        state_dict[renames.get(key, key)] = value


def _check_clashes(renames: Dict[str, str], keys: Iterable[str],
                   where: str) -> None:
    """Raise when a renamed key would replace a key that is kept."""
    clashes = sorted(set(renames.values()) & (set(keys) - set(renames)))
    if clashes:
        raise CheckpointKeysError(
            f'{where} holds both wrapped and plain spellings of '
            f'{len(clashes)} keys, e.g. {clashes[:SHOWN_KEYS]}')


def _wrapper_renames(keys: Iterable[str], prefix: str,
                     names: Sequence[str]) -> Dict[str, str]:
    """``<prefix><name>.module.<rest>`` -> ``<prefix><name>.<rest>`` for
    each name of ``names``."""
    renames = {}
    for name in names:
        old = f'{prefix}{name}.{WRAPPER_SEGMENT}.'
        new = f'{prefix}{name}.'
        renames.update({
            key: new + key[len(old):]
            for key in keys if key.startswith(old)
        })
    return renames


def _rename_metadata(state_dict: MutableMapping, prefix: str,
                     names: Sequence[str]) -> None:
    """Rename the version records (``state_dict._metadata``, keyed by module
    path) the same way, so BatchNorm and friends find their versions."""
    metadata = getattr(state_dict, '_metadata', None)
    if not metadata:
        return
    for name in names:
        base = f'{prefix}{name}'
        wrapped = f'{base}.{WRAPPER_SEGMENT}'
        for key in [k for k in metadata
                    if k == wrapped or k.startswith(wrapped + '.')]:
            metadata[base + key[len(wrapped):]] = metadata.pop(key)


def unwrapped_state_dict_hook(module: nn.Module, state_dict: MutableMapping,
                              prefix: str, local_metadata: dict) -> None:
    """``state_dict`` post-hook: write the children that a distributed
    wrapper holds under their own names (``backbone.*``, not
    ``backbone.module.*``), in place and in the original order.

    Register it with ``module.register_state_dict_post_hook``.
    """
    names = [
        name for name, child in module.named_children()
        if is_model_wrapper(child)
    ]
    own = [key for key in state_dict if key.startswith(prefix)]
    renames = _wrapper_renames(own, prefix, names)
    _check_clashes(renames, own, type(module).__name__)
    _rename_keys(state_dict, renames)
    _rename_metadata(state_dict, prefix, names)


def unwrap_checkpoint_keys(module: nn.Module, state_dict: MutableMapping,
                           prefix: str) -> int:
    """Rename a checkpoint's ``<child>.module.*`` entries (written under a
    distributed wrapper per child) to ``<child>.*``, in place.

    Only direct children of ``module`` are considered, and only those whose
    own module has no submodule named ``module`` (so no real weight is ever
    renamed); a key whose wrapper-free name is present as well is left
    alone (the load then reports it as unexpected).

    Args:
        module: The model being loaded.
        state_dict: The checkpoint's weights (as the load hook gets them).
        prefix: The model's prefix within ``state_dict``.

    Returns:
        int: The number of renamed entries.
    """
    names = []
    for name, child in module.named_children():
        inner = child.module if is_model_wrapper(child) else child
        if WRAPPER_SEGMENT not in dict(inner.named_children()):
            names.append(name)
    keys = [key for key in state_dict if key.startswith(prefix)]
    renames = {
        old: new
        for old, new in _wrapper_renames(keys, prefix, names).items()
        if new not in state_dict
    }
    _rename_keys(state_dict, renames)
    _rename_metadata(state_dict, prefix, names)
    return len(renames)


def rename_legacy_fptn_keys(state_dict: MutableMapping, prefix: str,
                            names: Sequence[str] = FPTN_CHILDREN) -> int:
    """Rename an older checkpoint's FPTN entries to today's layout, in place:
    ``<prefix>fptn.<name>.*`` and ``<prefix>fptn.module.<name>.*`` (FPTN
    under a distributed wrapper) become ``<prefix><name>.*`` for each name
    of ``names``, keeping the order of all entries.

    Other ``fptn.*`` entries, and those whose new name is present as well,
    are left alone (the load then reports them as unexpected).

    Args:
        state_dict: The checkpoint's weights (as the load hook gets them).
        prefix: The model's prefix within ``state_dict``.
        names: The children FPTN held.

    Returns:
        int: The number of renamed entries.
    """
    legacy = prefix + LEGACY_FPTN_PREFIX
    wrapped = legacy + WRAPPER_SEGMENT + '.'
    renames = {}
    for key in state_dict:
        if not key.startswith(legacy):
            continue
        rest = key[len(wrapped if key.startswith(wrapped) else legacy):]
        new = prefix + rest
        if rest.partition('.')[0] in names and new not in state_dict:
            renames[key] = new
    _rename_keys(state_dict, renames)
    # version records (``_metadata``, keyed by module path) likewise
    metadata = getattr(state_dict, '_metadata', None) or {}
    for old_prefix in (wrapped, legacy):
        for key in list(metadata):
            rest = key[len(old_prefix):]
            if key.startswith(old_prefix) and rest.partition('.')[0] in names:
                metadata.setdefault(prefix + rest, metadata.pop(key))
    return len(renames)


def drop_fptn_keys(state_dict: MutableMapping, prefix: str) -> int:
    """Remove the FPTN entries (:data:`OPTIONAL_PREFIXES`, today's and the
    older spelling) under ``prefix`` in place, for a model without FPTN.

    Returns:
        int: The number of removed entries.
    """
    dropped = [
        key for key in state_dict if key.startswith(prefix)
        and key[len(prefix):].startswith(OPTIONAL_PREFIXES)
    ]
    for key in dropped:
        del state_dict[key]
    return len(dropped)


def strip_wrapper_segments(state_dict: MutableMapping) -> int:
    """Model-free renaming for tools that have no model at hand: a leading
    ``module.`` (one wrapper around the whole model) and ``<top>.module.``
    (one wrapper per top-level child) are dropped, in place.

    Returns:
        int: The number of renamed entries.
    """
    lead = WRAPPER_SEGMENT + '.'
    renames = {}
    for key in state_dict:
        new = key[len(lead):] if key.startswith(lead) else key
        top, _, rest = new.partition('.')
        if rest.startswith(lead):
            new = f'{top}.{rest[len(lead):]}'
        if new != key:
            renames[key] = new
    _check_clashes(renames, state_dict, 'the checkpoint')
    _rename_keys(state_dict, renames)
    return len(renames)


def required_missing(missing: Iterable[str],
                     found: Optional[Iterable[str]] = None) -> List[str]:
    """The missing keys that make a load incomplete, sorted.

    BatchNorm's ``num_batches_tracked`` counters may be missing (older
    checkpoints lack them), and, when the checkpoint's keys ``found`` are
    given, so may every key under the optional prefixes (FPTN's children)
    if ``found`` has none under any of them (training-only sub-networks
    the checkpoint does not hold).
    """
    missing = [k for k in missing if not k.endswith('num_batches_tracked')]
    if found is not None and not any(
            k.startswith(OPTIONAL_PREFIXES) for k in found):
        missing = [k for k in missing if not k.startswith(OPTIONAL_PREFIXES)]
    return sorted(missing)


def key_mismatch(expected: Iterable[str],
                 found: Iterable[str]) -> Tuple[List[str], List[str]]:
    """Missing (see :func:`required_missing`) and unexpected keys of a
    checkpoint's keys ``found`` against the model's ``expected`` ones."""
    expected, found = set(expected), set(found)
    return required_missing(expected - found, found), sorted(found - expected)


def describe_mismatch(missing: Sequence[str],
                      unexpected: Sequence[str],
                      reshaped: Sequence[str] = (),
                      limit: int = SHOWN_KEYS) -> str:
    """``'3 missing keys (a, b, c), 1 unexpected key (d)'``, at most
    ``limit`` keys of each kind."""

    def part(keys: Sequence[str], what: str) -> str:
        shown = ', '.join(keys[:limit])
        more = f', ... {len(keys) - limit} more' if len(keys) > limit else ''
        plural = 's' if len(keys) != 1 else ''
        return f'{len(keys)} {what} key{plural} ({shown}{more})'

    parts = [
        part(keys, what) for keys, what in (
            (missing, 'missing'), (unexpected, 'unexpected'),
            (reshaped, 'reshaped (checkpoint vs model)')) if keys
    ]
    return ', '.join(parts)


def check_loaded_keys(source: str,
                      missing: Iterable[str],
                      unexpected: Iterable[str],
                      found: Optional[Iterable[str]] = None,
                      model_name: str = 'the model',
                      reshaped: Sequence[str] = ()) -> None:
    """Raise :class:`CheckpointKeysError` when a load left weights missing,
    found unexpected ones or ones of another shape.

    Args:
        source: The checkpoint file (named in the message).
        missing: Keys of the model the checkpoint did not provide.
        unexpected: Keys of the checkpoint the model does not have.
        found: The checkpoint's keys; when given, keys under the optional
            prefixes (FPTN) may be missing if the checkpoint has none there.
        model_name: The model, for the message.
        reshaped: ``'<key> <checkpoint shape> vs <model shape>'`` of the
            weights whose shapes differ.
    """
    missing = required_missing(missing, found)
    unexpected = sorted(unexpected)
    if missing or unexpected or reshaped:
        raise CheckpointKeysError(
            f'{source}: the checkpoint does not match {model_name}: '
            f'{describe_mismatch(missing, unexpected, sorted(reshaped))}')
