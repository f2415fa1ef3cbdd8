"""Session fixtures: small face datasets in every raw layout (see
helpers/face_data.py), written under pytest's temporary directory. Each
fixture is ``(root, what the builder wrote)``."""
import pytest

from helpers.face_data import (build_300vw, build_300w, build_celeba,
                               build_wflw, build_ytf)


def _layout(fixture_name: str, folder: str, build):
    """A session fixture writing one raw layout with ``build``."""

    @pytest.fixture(scope='session', name=fixture_name)
    def layout_root(tmp_path_factory):
        root = str(tmp_path_factory.mktemp(folder))
        return root, build(root)

    return layout_root


face300w_root = _layout('face300w_root', '300w', build_300w)
wflw_root = _layout('wflw_root', 'wflw', build_wflw)
celeba_root = _layout('celeba_root', 'celeba', build_celeba)
face300vw_root = _layout('face300vw_root', '300vw', build_300vw)
ytf_root = _layout('ytf_root', 'ytf', build_ytf)
