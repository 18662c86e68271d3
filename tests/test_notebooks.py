"""Every notebook in nbs/ runs under `nbdev-test`, one pytest test per notebook, so the closing line counts them."""
import os, subprocess, sys
from pathlib import Path
import pytest
from conftest import ROOT, FLAGS

NBS = ROOT/'nbs'

def _notebooks():
    "Notebooks `nbdev-test` would pick: skip files and folders starting with '_' or '.' (nbdev's defaults)."
    return sorted(p for p in NBS.rglob('*.ipynb') if not any(s.startswith(('_', '.')) for s in p.relative_to(NBS).parts))

@pytest.mark.parametrize('nb', _notebooks(), ids=lambda p: str(p.relative_to(NBS)))
def test_notebook(nb):
    nbdev_test = Path(sys.executable).parent/'nbdev-test'
    res = subprocess.run([str(nbdev_test), str(nb), '--flags', ' '.join(sorted(FLAGS))],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ, 'PYTHONUNBUFFERED': '1'})
    assert res.returncode == 0, f'nbdev-test failed on {nb.name}:\n{res.stderr[-6000:]}\n{res.stdout[-2000:]}'
