"""Code shared by the tests (importable as ``helpers``: pytest puts the
folder of ``tests/conftest.py`` on ``sys.path``; training subprocesses get
it on ``PYTHONPATH``, see :func:`helpers.engine_testing.train_env`).

- :mod:`helpers.face_data`: tiny face datasets in every raw layout, with
  their expected values.
- :mod:`helpers.fixture_sets`: the layouts the row configs read, the engine
  tests' training data, a COCO json with subset tags.
- :mod:`helpers.tiny_models`: tiny DHLN / SHT model configs, drawn faces
  and hand-built batches.
- :mod:`helpers.config_testing`: the metafile and flattened configs.
- :mod:`helpers.deploy_testing`: tiny versions of the repository's configs.
- :mod:`helpers.engine_testing`: training subprocesses and their outputs
  (imported by the tiny configs in ``helpers/configs``).
- :mod:`helpers.runner_standins`: in-process runner stand-ins.
- :mod:`helpers.tiny_setup`: config + random checkpoint for tool tests.
"""
import importlib.util
import os.path as osp
import re

#: the repository's root folder
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def load_tool(relative_path: str):
    """Import a script of the repository as a module.

    Args:
        relative_path (str): Path relative to the repository root, e.g.
            ``'tools/dataset_converters/300w2coco.py'`` (such file names
            are no module names, so they are loaded by path).

    Returns:
        module: A fresh module (each call runs the script's top level).
    """
    path = osp.join(REPO_ROOT, relative_path)
    stem = osp.splitext(osp.basename(path))[0]
    name = 'tool_' + re.sub(r'\W', '_', stem)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
