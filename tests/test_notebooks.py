"""Every notebook in nbs/ runs as `nbdev-test` runs it, one pytest test per notebook, so the closing line counts them.
The runner is `tools/outputs.py --check` (the engine of `make outputs`): in the same single run it also fails when a
cell shows something but its committed output is missing, or when the committed outputs reveal a local path."""
import os, subprocess, sys
import pytest
from conftest import ROOT, FLAGS

sys.path.insert(0, str(ROOT/'tools'))
from outputs import notebooks, NBS

@pytest.mark.parametrize('nb', notebooks(), ids=lambda p: str(p.relative_to(NBS)))
def test_notebook(nb):
    res = subprocess.run([sys.executable, str(ROOT/'tools'/'outputs.py'), str(nb), '--check', '--flags', ' '.join(sorted(FLAGS))],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ, 'PYTHONUNBUFFERED': '1'})
    assert res.returncode == 0, f'{nb.name} failed:\n{res.stderr[-6000:]}\n{res.stdout[-2000:]}'
