"""Project-level checks: the package is what the notebooks export, it imports light, the README is the home page."""
import importlib.util, json, shutil, subprocess, sys, tomllib
from pathlib import Path
from conftest import ROOT

def _py_files(lib): return {p.relative_to(lib).as_posix(): p.read_text() for p in lib.rglob('*.py') if '__pycache__' not in p.parts}

def test_package_equals_notebook_export(tmp_path):
    "Export the notebooks into a scratch copy of the project; asd_nb/ must be identical, file for file."
    for name in ('pyproject.toml', 'nbs'):
        (shutil.copytree if (ROOT/name).is_dir() else shutil.copy)(ROOT/name, tmp_path/name)
    (tmp_path/'asd_nb').mkdir()
    shutil.copy(ROOT/'asd_nb'/'__init__.py', tmp_path/'asd_nb'/'__init__.py')
    res = subprocess.run([str(Path(sys.executable).parent/'nbdev-export')], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    exported, committed = _py_files(tmp_path/'asd_nb'), _py_files(ROOT/'asd_nb')
    differ = sorted(f for f in exported.keys() | committed.keys() if exported.get(f) != committed.get(f))
    assert not differ, f'asd_nb/ differs from what nbs/ exports in {differ}: edit the notebooks and run nbdev-export'

HEAVY = ('torch', 'transformers', 'fastai', 'sklearn', 'matplotlib', 'seaborn')
LIGHT_ENTRY_POINTS = ('asd_nb', 'asd_nb.core', 'asd_nb.data', 'asd_nb.audio', 'asd_nb.augment', 'asd_nb.metrics', 'asd_nb.knn', 'asd_nb.synth', 'asd_nb.cli')

def test_import_is_light():
    "The entry points a user meets first load no deep-learning or plotting stack (that waits until it is needed)."
    mods = [m for m in LIGHT_ENTRY_POINTS if importlib.util.find_spec(m)]
    code = f"import sys\nfor m in {mods!r}: __import__(m)\nprint(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    res = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.replace("'", '"')) == [], f'importing {mods} pulled in {res.stdout.strip()}'

def test_readme_is_the_rendered_index():
    "README.md is generated from nbs/index.ipynb (Quarto-free, tools/readme.py) and must not drift from it."
    spec = importlib.util.spec_from_file_location('readme', ROOT/'tools'/'readme.py')
    readme = importlib.util.module_from_spec(spec); spec.loader.exec_module(readme)
    assert (ROOT/'README.md').read_text(encoding='utf-8') == readme.render(), 'README.md is stale: run `make readme`'

def test_ci_runs_the_readme_test_command():
    "CI runs exactly the test command the README gives to users."
    assert 'make test' in (ROOT/'README.md').read_text() and 'make test' in (ROOT/'.ci'/'run').read_text()

def test_ci_proves_the_readme_install():
    "CI installs the built wheel the way the README says (tools/install_check.sh): the same pins, fastai without its dependencies."
    readme, check = (ROOT/'README.md').read_text(), (ROOT/'tools'/'install_check.sh').read_text()
    assert 'make install-check' in (ROOT/'.ci'/'run').read_text()
    for step in ('pip install torch==2.13.0', 'pip install --no-deps fastai==2.8.12', 'pip install asd-nb'): assert step in readme, step
    for step in ('install torch==2.13.0', 'install --no-deps fastai==2.8.12', 'install "$tmp"/dist/asd_nb-*.whl'): assert step in check, step
    assert 'torch==2.13.0' in (ROOT/'tools'/'setup_env.sh').read_text() and 'fastai==2.8.12' in (ROOT/'tools'/'setup_env.sh').read_text()
    assert not any(d.startswith('fastai') for d in tomllib.loads((ROOT/'pyproject.toml').read_text())['project']['dependencies'])

def test_docs_preprocess(tmp_path):
    "Quarto is not available everywhere; the nbdev step before it (processing every notebook, show_doc included) must work."
    for name in ('pyproject.toml', 'nbs', 'asd_nb'):
        (shutil.copytree if (ROOT/name).is_dir() else shutil.copy)(ROOT/name, tmp_path/name)
    code = 'from nbdev.serve import proc_nbs; proc_nbs(n_workers=0)'
    res = subprocess.run([sys.executable, '-c', code], cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-4000:]
    notebooks = {p.relative_to(ROOT/'nbs') for p in (ROOT/'nbs').rglob('*.ipynb') if '.ipynb_checkpoints' not in p.parts}
    processed = {p.relative_to(tmp_path/'_proc') for p in (tmp_path/'_proc').rglob('*.ipynb')}
    assert notebooks <= processed, f'not processed for the docs: {sorted(map(str, notebooks - processed))}'

def test_sample_recordings_ship_readable_and_attributed():
    "The real samples that lessons and tests read are package data, readable by soundfile, and named in their README."
    import fnmatch, soundfile as sf
    from asd_nb.data import sample_dir, parse_dcase_name, SAMPLE_SETS
    root = sample_dir()
    files = sorted(p for p in root.rglob('*') if p.is_file())
    globs = tomllib.loads((ROOT/'pyproject.toml').read_text())['tool']['setuptools']['package-data']['asd_nb']
    unshipped = [p for p in files if not any(fnmatch.fnmatch(p.relative_to(root.parent).as_posix(), g) for g in globs)]
    assert not unshipped, f'not in [tool.setuptools.package-data]: {unshipped}'
    readme = (root/'README.md').read_text()
    unnamed = [p.relative_to(root).as_posix() for p in files if p.name != 'README.md' and p.name not in readme]
    assert not unnamed, f'asd_nb/samples/README.md does not attribute {unnamed}'
    counts = {s: len([p for p in files if s in p.parts]) for s in SAMPLE_SETS}
    assert counts == {'dcase2023_dev_sample': 26, 'mimii_8ch': 4, 'dcase2023_eval_ground_truth': 21}, counts
    for p in files:
        if p.suffix != '.wav': continue
        info, wav = sf.info(p), sf.read(p, dtype='int16')[0]
        assert info.samplerate == 16000 and info.subtype == 'PCM_16' and len(wav) == info.frames > 0, p
        if 'mimii_8ch' in p.parts: assert (info.channels, info.format) == (8, 'WAVEX'), p
        else: assert info.channels == 1 and parse_dcase_name(p)['naming'] == 'dcase2021+', p
    assert sum(p.stat().st_size for p in files) < 1_500_000
