"""Every notebook in nbs/ runs as `nbdev-test` runs it, one pytest test per notebook, so the closing line counts them.
The runner is `tools/outputs.py --check` (the engine of `make outputs`): in the same single run it also fails when a
cell shows something but its committed output is missing, or when the committed outputs reveal a local path.

Each notebook runs in a child process forked from this test process, which has imported the heavy libraries (torch,
transformers, fastai, execnb) once: a fresh interpreter per notebook would import them again each time,
several seconds of CPU per notebook on 2 cores. Nothing runs a tensor operation before the fork, so no thread pool is
copied half-made, and the child drops the test process's logging handlers. `ASD_NB_TEST_FORK=0` runs each notebook in a fresh interpreter instead, exactly as `make outputs`
does (with a fixed hash seed, so also for checks where the content of an output matters)."""
import os, subprocess, sys, tempfile
import multiprocessing as mp
import pytest
from conftest import ROOT, FLAGS

sys.path.insert(0, str(ROOT/'tools'))
from outputs import notebooks, NBS, QUIET_ENV, run_one

FORK = os.environ.get('ASD_NB_TEST_FORK', '1') != '0' and 'fork' in mp.get_all_start_methods()
if FORK:
    import torch, transformers, fastai.learner, execnb.shell, nbdev.test  # noqa: F401 (imported once, shared by every fork)

def _child(nb, flags: str, log: str):
    "In the forked child: the quiet environment of `make outputs`, output to `log`, then `outputs.run_one` in check mode."
    fd = os.open(log, os.O_WRONLY)
    os.dup2(fd, 1); os.dup2(fd, 2)
    sys.stdout = sys.stderr = os.fdopen(os.dup(fd), 'w', buffering=1)  # pytest's capture objects, inherited, would swallow it
    os.environ.update({k: v for k, v in QUIET_ENV.items() if k != 'PYTHONHASHSEED'})
    import logging  # pytest's log capture, inherited, would take the records that a notebook expects on stderr
    for h in list(logging.root.handlers): logging.root.removeHandler(h)
    logging.root.setLevel(logging.WARNING)
    code = 1
    try: code = run_one(nb, flags, check_only=True)
    except SystemExit as e: code = e.code if isinstance(e.code, int) else 1
    except BaseException:
        import traceback; traceback.print_exc()
    finally:
        sys.stdout.flush(); sys.stderr.flush()
        os._exit(code)

def _run_forked(nb, flags: str) -> tuple[int, str]:
    with tempfile.NamedTemporaryFile('r', suffix='.log') as log:
        p = mp.get_context('fork').Process(target=_child, args=(nb, flags, log.name))
        p.start(); p.join()
        return p.exitcode, log.read()

@pytest.mark.parametrize('nb', notebooks(), ids=lambda p: str(p.relative_to(NBS)))
def test_notebook(nb):
    flags = ' '.join(sorted(FLAGS))
    if FORK:
        code, out = _run_forked(nb, flags)
        assert code == 0, f'{nb.name} failed:\n{out[-8000:]}'
        return
    res = subprocess.run([sys.executable, str(ROOT/'tools'/'outputs.py'), str(nb), '--check', '--flags', flags],
                         cwd=ROOT, capture_output=True, text=True, env={**os.environ, 'PYTHONUNBUFFERED': '1'})
    assert res.returncode == 0, f'{nb.name} failed:\n{res.stderr[-6000:]}\n{res.stdout[-2000:]}'
