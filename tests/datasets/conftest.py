"""Session fixtures: small face datasets in every raw layout (see
face_fixtures.py), written under pytest's temporary directory."""
import pytest
from face_fixtures import (build_300vw, build_300w, build_celeba, build_wflw,
                           build_ytf)


@pytest.fixture(scope='session')
def face300w_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('300w'))
    return root, build_300w(root)


@pytest.fixture(scope='session')
def wflw_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('wflw'))
    return root, build_wflw(root)


@pytest.fixture(scope='session')
def celeba_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('celeba'))
    return root, build_celeba(root)


@pytest.fixture(scope='session')
def face300vw_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('300vw'))
    return root, build_300vw(root)


@pytest.fixture(scope='session')
def ytf_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('ytf'))
    return root, build_ytf(root)
