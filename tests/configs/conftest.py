"""Fixtures of the config tests: tiny datasets in every layout the row
configs read, and no network while a test runs (building a config must not
download anything)."""
import socket

import pytest
from helpers.fixture_sets import write_dataset_fixtures


@pytest.fixture(scope='session')
def dataset_fixtures(tmp_path_factory):
    """Fixture folder of each dataset (see ``DATA_ROOTS``)."""
    return write_dataset_fixtures(str(tmp_path_factory.mktemp('datasets')))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Any connection attempt (a download) fails the test."""

    def refuse(sock, address, *args, **kwargs):
        raise AssertionError(f'a config tried to connect to {address}')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    monkeypatch.setattr(socket.socket, 'connect_ex', refuse)
