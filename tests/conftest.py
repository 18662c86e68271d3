"""Test flags shared by notebooks and pytest: `make test FLAGS="slow"` runs what is normally skipped."""
import os
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent/'shared'/'data'
FLAGS = set(os.environ.get('ASD_NB_TEST_FLAGS', '').split())
OPTIONAL = ('slow', 'gpu', 'hub', 'dcase')  # the same flags as [tool.nbdev] tst_flags

def pytest_configure(config):
    for flag in OPTIONAL: config.addinivalue_line('markers', f'{flag}: skipped unless ASD_NB_TEST_FLAGS has "{flag}"')

def pytest_collection_modifyitems(config, items):
    for item in items:
        for flag in OPTIONAL:
            if flag in item.keywords and flag not in FLAGS:
                item.add_marker(pytest.mark.skip(reason=f'needs flag "{flag}": make test FLAGS="{flag}"'))
