"""`asd-nb grid --jobs 2` and data-parallel fine-tuning (2 CPU processes, gloo), run as a user runs them: in subprocesses.

Both start several fresh Pythons (6 to 15 s of imports each on 2 cores), so both are flagged slow."""
import json, os, subprocess, sys
from pathlib import Path

import pytest
from conftest import make_tiny_inputs

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, 'PYTHONWARNINGS': 'ignore', 'OMP_NUM_THREADS': '1', 'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])}
TINY = ['--steps', '4', '--steps-per-epoch', '2', '--bs', '8', '--crop-seconds', '0.5', '--emb-dim', '16', '--valid-pct', '0']


def cli(*args, launcher=(), timeout=600) -> subprocess.CompletedProcess:
    "`python -m asd_nb.cli ARGS` in a subprocess, optionally under a launcher (e.g. torchrun's module)."
    return subprocess.run([sys.executable, *launcher, '-m', 'asd_nb.cli', *map(str, args)], capture_output=True, text=True, timeout=timeout, env=ENV)


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    return make_tiny_inputs(tmp_path_factory.mktemp('grid'), 'hubert', 'fan,valve', n_source_train=6, n_target_train=2, n_test=3, duration=1.)


@pytest.mark.slow
def test_grid_jobs(tiny):
    "Two cells in two processes: both finish, in different processes; the dry run then finds both done."
    out = tiny/'grid'
    args = [tiny/'data', '--out', out, '--backbones', f"tiny={tiny/'encoder'}", '--variants', 'ws', '--systems', 'ssl', '--seeds', '1', *TINY]
    r = cli('grid', *args, '--jobs', '2', '--json')
    assert r.returncode == 0, r.stderr
    cells = json.loads(r.stdout)['cells']
    assert sorted(c['cell'] for c in cells) == ['tiny+ws/fan/seed0', 'tiny+ws/valve/seed0']
    assert {c['status'] for c in cells} == {'done'} and len({c['pid'] for c in cells}) == 2
    assert (out/'cells'/'tiny+ws'/'fan'/'seed0'/'detectors'/'fan'/'config.json').is_file()
    plan = cli('grid', *args, '--dry-run', '--json')
    assert plan.returncode == 0, plan.stderr
    assert [c['status'] for c in json.loads(plan.stdout)] == ['done', 'done']


@pytest.mark.slow
def test_data_parallel_gloo(tiny):
    "`asd-nb train` in two CPU processes (torchrun, gloo) trains the one-process model up to float rounding, and saves a usable detector."
    args = [tiny/'data', '--machine', 'fan', '--backbone', tiny/'encoder', *TINY, '--no-progress']
    one = cli('train', *args, '--out', tiny/'one')
    two = cli('train', *args, '--out', tiny/'two', launcher=['-m', 'torch.distributed.run', '--nproc_per_node', '2'])
    assert one.returncode == 0, one.stderr
    assert two.returncode == 0, two.stderr
    assert two.stderr.count('detector saved in') == 1  # the main process fits and saves the detector
    check = """
import sys, numpy as np, pandas as pd
from pathlib import Path
from safetensors.numpy import load_file
from asd_nb.systems import load_detector
from asd_nb.data import clip_table
one, two, data = map(Path, sys.argv[1:])
h1, h2 = pd.read_csv(one/'history.csv'), pd.read_csv(two/'history.csv')
assert len(h1) == len(h2) == 2 and np.allclose(h1.train_loss, h2.train_loss, rtol=1e-4), (h1, h2)
w1, w2 = load_file(one/'head.safetensors'), load_file(two/'head.safetensors')
assert max(float(np.abs(w1[k] - w2[k]).max()) for k in w1) < 1e-4
test = clip_table(data, machines='fan').query("split == 'test'")
s1, s2 = load_detector(one/'detector').decision_function(test), load_detector(two/'detector').decision_function(test)
assert np.allclose(s1, s2, rtol=1e-3, atol=1e-4), (s1, s2)
"""
    r = subprocess.run([sys.executable, '-c', check, tiny/'one', tiny/'two', tiny/'data'], capture_output=True, text=True, env=ENV)
    assert r.returncode == 0, r.stderr
