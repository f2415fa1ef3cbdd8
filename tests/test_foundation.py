"""The package imports, registers its modules, and every config loads."""
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.config import Config

REPO = Path(__file__).resolve().parents[1]
CONFIGS = sorted(str(p.relative_to(REPO)) for p in (REPO / 'configs').rglob('*.py'))


def test_import_sht_is_silent():
    """`python -c "import sht"` prints nothing and succeeds."""
    proc = subprocess.run([sys.executable, '-c', 'import sht'],
                          capture_output=True, text=True, cwd='/')
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == '' and proc.stderr == ''


# What `import sht` must add to mmpose's registries (the project's public
# names; configs refer to them).
REGISTERED = {
    'MODELS': [
        'DHLN', 'DHLNHead', 'DHLNEstimator', 'SHTEstimator',
        'PATBGenerator', 'PoseTransferDiscriminator',
        'DualDiscriminatorGANLoss', 'VGGPerceptualL1Loss', 'GradientL1Loss',
        'PixelL1Loss'
    ],
    'DATASETS': [
        'SHTFace300WDataset', 'SHTWFLWDataset', 'SHTAFLWDataset',
        'SHTCelebADataset', 'SHTHelenDataset', 'SHTFace300VWDataset',
        'SHTFrameFolderDataset', 'FacePairDataset', 'LabeledUnlabeledDataset'
    ],
    'DATA_SAMPLERS': ['MixedRatioSampler'],
    'TRANSFORMS': ['LoadFaceImage', 'RandomPairView', 'PackFaceInputs'],
    'METRICS': ['FaceLandmarkMetric', 'HallucinationMetric'],
    'HOOKS': ['ResumeLRFromConfigHook', 'InferenceOptimHook'],
    'LOOPS': ['SHTTrainLoop'],
    'OPTIM_WRAPPER_CONSTRUCTORS': ['SHTOptimWrapperConstructor'],
}


def test_collate_function_registered():
    """mmengine's Runner looks collate functions up in its own FUNCTIONS."""
    import sht  # noqa: F401
    from mmengine.registry import FUNCTIONS
    assert FUNCTIONS.get('pair_collate').__module__.startswith('sht.')


@pytest.mark.parametrize('registry_name', sorted(REGISTERED))
def test_registered_names_resolve(registry_name):
    import sht  # noqa: F401
    from mmpose import registry
    reg = getattr(registry, registry_name)
    for name in REGISTERED[registry_name]:
        assert reg.get(name) is not None, f'{name} not in {registry_name}'
        assert reg.get(name).__module__.startswith('sht.'), name


@pytest.mark.parametrize('path', CONFIGS)
def test_config_loads(path):
    cfg = Config.fromfile(str(REPO / path))
    if '/_base_/' not in path:
        assert cfg.get('default_scope') == 'mmpose', path
        assert 'sht' in cfg.custom_imports['imports'], path


def test_train_help_from_other_directory(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(REPO / 'tools' / 'train.py'), '--help'],
        capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    for option in ('--work-dir', '--resume', '--amp', '--cfg-options',
                   '--launcher'):
        assert option in proc.stdout
    assert proc.stderr == ''  # no import-time notices either


@pytest.mark.parametrize('tool', ['tools/test.py', 'tools/misc/run_demo.py',
                                  'tools/analysis/resolution_sweep.py',
                                  'demo/image_demo.py'])
def test_tool_help_is_quiet(tmp_path, tool):
    proc = subprocess.run([sys.executable, str(REPO / tool), '--help'],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert 'usage:' in proc.stdout and proc.stderr == ''
