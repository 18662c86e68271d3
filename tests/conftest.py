"""Test flags shared by notebooks and pytest: `make test FLAGS="slow"` runs what is normally skipped."""
import os
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
FLAGS = set(os.environ.get('ASD_NB_TEST_FLAGS', '').split())
OPTIONAL = ('slow', 'gpu', 'hub', 'dcase')  # the same flags as [tool.nbdev] tst_flags

def pytest_configure(config):
    for flag in OPTIONAL: config.addinivalue_line('markers', f'{flag}: skipped unless ASD_NB_TEST_FLAGS has "{flag}"')

# The longest tests (about a minute or more each on 2 cores) start first: the parallel workers then finish together
# instead of one of them running the longest notebook alone at the end. Substrings of test ids, longest first.
LONGEST_FIRST = ('tutorials/pipeline.ipynb', 'test_docs_preprocess', '14_grid.ipynb', '06_finetune.ipynb', '08b_ssl_detector.ipynb',
                 '13_pipeline.ipynb', 'test_in_a_script_stdout_is_the_table_alone', 'test_train_resumes_after_being_killed')

def _rank(item) -> int: return next((i for i, s in enumerate(LONGEST_FIRST) if s in item.nodeid), len(LONGEST_FIRST))

def pytest_collection_modifyitems(config, items):
    items.sort(key=_rank)  # stable: the others keep their order
    for item in items:
        for flag in OPTIONAL:
            if flag in item.keywords and flag not in FLAGS:
                item.add_marker(pytest.mark.skip(reason=f'needs flag "{flag}": make test FLAGS="{flag}"'))

def make_tiny_inputs(root, # Folder to fill
                     family:str, # Backbone family of the tiny random encoder (see asd_nb.backbone.tiny_config)
                     machines:str, # Synthetic machine types, e.g. 'fan,valve'
                     encoder:str='encoder', # Name of the encoder checkpoint folder inside `root`
                     **synth): # Options of asd_nb.synth.make_dataset (n_source_train, n_test, duration, ...)
    "root/data: a small synthetic dataset; root/<encoder>: a tiny randomly initialised encoder checkpoint (`asd_nb.tiny.tiny_inputs`). Returns root."
    from asd_nb.tiny import tiny_inputs
    return tiny_inputs(root, family, machines, encoder=encoder, **synth).root
