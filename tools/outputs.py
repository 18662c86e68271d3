"""`make outputs`: run the notebooks on their tiny defaults and save them WITH their outputs, so that a reader sees the
plots, tables and sounds on GitHub and on the docs site without running anything.

    python tools/outputs.py                     every notebook that nbdev-test picks (nbs/, nbs/tutorials/)
    python tools/outputs.py nbs/05_losses.ipynb one or more notebooks
    python tools/outputs.py --check NB          run NB, write nothing, and fail if a cell that shows something has no
                                                committed output, or if the committed outputs reveal a local path
                                                (what tests/test_notebooks.py runs: one run per notebook)

How a notebook runs is how `nbdev-test` runs it: execnb's `CaptureShell`, the notebook's folder as working directory,
`IN_TEST=1`, and the cells that nbdev-test skips skipped (the `[tool.nbdev] tst_flags`: slow, gpu, hub, dcase,
notest; `--flags "slow"` runs them too, as `nbdev-test --flags` does). A skipped cell keeps the outputs it has in the
committed notebook: a flagged full-size cell shows the outputs of the last real run, made by hand (say the hardware
and runtime in the prose above it). Everything else is replaced by this run's outputs.

What makes the outputs small and reproducible (a re-run gives no diff):
- every notebook starts from the same seeds (Python, numpy, torch; `PYTHONHASHSEED=0`), one thread for torch and
  BLAS, and a fixed matplotlib style: PNG (no SVG) at `DPI` dots per inch;
- PNGs are re-encoded with a palette of 256 colours when that is smaller;
- progress bars are switched off (fastprogress, tqdm, Hugging Face) and any that slip through are removed;
- timings (`00:03` in fastai's tables, `12 s/it`) are masked as `..:..` / `?s/it`;
- local paths become placeholders: the repository root `[repo]` (its parent folder `[repo]/..`), the Python
  environment `[venv]`, a temporary folder `[tmp]`, the home folder `~`;
- nbdev's own cleaning (`nbdev-clean`: no execution counts, no volatile metadata, no object addresses) comes last.
Limits that fail the run instead of committing a heavy notebook: `MAX_NB_BYTES` of outputs per notebook, audio
players at most `MAX_AUDIO_SR` Hz and `MAX_AUDIO_S` seconds each.
"""
import argparse, base64, io, json, os, re, subprocess, sys, tempfile, time, wave
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
DPI = 72              # matplotlib's inline default: a 6x4 inch figure is a 432x288 PNG
MAX_NB_BYTES = 2_000_000  # outputs of one notebook, base64 included
MAX_AUDIO_SR = 16_000
MAX_AUDIO_S = 10.0
QUIET_ENV = dict(PYTHONHASHSEED='0', OMP_NUM_THREADS='1', MKL_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1',
                 TQDM_DISABLE='1', HF_HUB_DISABLE_PROGRESS_BARS='1', TRANSFORMERS_VERBOSITY='error',
                 TRANSFORMERS_NO_ADVISORY_WARNINGS='1',)

# Run before the first cell of each notebook, in the notebook's shell, and never saved.
PREAMBLE = f"""
import random as _r, numpy as _np, matplotlib as _mpl
_r.seed(0); _np.random.seed(0)
_mpl.rcParams.update({{'figure.dpi': {DPI}, 'savefig.dpi': {DPI}, 'svg.hashsalt': 'asd_nb', 'path.simplify': True}})
try:
    import torch as _t; _t.manual_seed(0); _t.set_num_threads(1)
except ImportError: pass
try:
    import fastprogress.fastprogress as _fp; _fp.NO_BAR = True
except ImportError: pass
"""

def notebooks() -> list:
    "Notebooks `nbdev-test` would pick: skip files and folders starting with '_' or '.' (nbdev's defaults)."
    return sorted(p for p in NBS.rglob('*.ipynb') if not any(s.startswith(('_', '.')) for s in p.relative_to(NBS).parts))

# ---------------------------------------------------------------------------------------------------------- paths
def _local_roots() -> list:
    "(text, placeholder) pairs for this machine's local paths, longest first."
    venv = Path(sys.prefix)
    pairs = {}
    for p, name in [(ROOT, '[repo]'), (ROOT.parent, '[repo]/..'), (venv, '[venv]'), (Path(sys.base_prefix), '[python]'),
                    (Path.home(), '~')]:
        for q in {str(p), str(p.resolve())}:
            if len(q) > 1 and q not in TMP_DIRS: pairs[q] = name  # a checkout right in /tmp: its parent is [tmp], not [repo]/..
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))

TMP_DIRS = sorted({tempfile.gettempdir(), os.path.realpath(tempfile.gettempdir()), '/tmp', '/var/tmp'}, key=len, reverse=True)
_TMP_RE = re.compile('(?:' + '|'.join(re.escape(t) for t in TMP_DIRS) + r')(?:/[^/\s\'"<>),\]]+)?')
# Paths that only exist on someone's machine: a general check, independent of where this runs
LOCAL_PATH_RE = re.compile(r'(?<![\w.\]~-])(?:/(?:work|tmp|home|Users|root|private|mnt|scratch|data|opt/conda|var/folders'
                           r'|var/tmp)/[\w.~-]|[A-Za-z]:\\+(?:Users|Windows|tmp)\\)')

def unlocal(text: str) -> str:
    "`text` with this machine's local paths replaced by placeholders."
    for path, name in _local_roots(): text = text.replace(path, name)  # first: a checkout may itself live in a temporary folder
    return _TMP_RE.sub('[tmp]', text) if any(t in text for t in TMP_DIRS) else text

def local_paths(text: str) -> list:
    "The local paths (this machine's or any machine's usual ones) that `text` reveals."
    hits = [m.group(0) for m in LOCAL_PATH_RE.finditer(text)]
    hits += [p for p, _ in _local_roots() if p in text and p not in ('/root',)]
    return hits

# ------------------------------------------------------------------------------------------------- cleaning outputs
_TIMING_RES = [(re.compile(r'(<td>)\d{1,2}:\d{2}(</td>)'), r'\1..:..\2'),                   # fastai's epoch table
               (re.compile(r'(?<![\w.])\d+(?:\.\d+)?\s?(s/it|it/s)\b'), r'?\1')]
_BAR_RE = re.compile(r'\d+%\|.*\|')  # tqdm's bar

def mask_timings(text: str) -> str:
    for rx, sub in _TIMING_RES: text = rx.sub(sub, text)
    return text

def _lines(v): return ''.join(v) if isinstance(v, list) else v
def _split(s): return s.splitlines(True)

def _clean_stream(text: str) -> str:
    "A stream's text as a terminal shows it: each carriage return overwrites the line; tqdm bars dropped."
    lines = [l.rstrip('\r').rsplit('\r', 1)[-1] for l in text.split('\n')]
    return '\n'.join(l for l in lines if not _BAR_RE.search(l))

def small_png(b64: str) -> str:
    "A PNG re-encoded with an adaptive palette of 256 colours when that is smaller (spectrograms shrink ~3x)."
    from PIL import Image
    raw = base64.b64decode(b64)
    img = Image.open(io.BytesIO(raw))
    pal = img.convert('RGB').quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buf = io.BytesIO(); pal.save(buf, 'PNG', optimize=True)
    return base64.b64encode(buf.getvalue()).decode() + '\n' if buf.tell() < len(raw) else b64

def _is_bar(o) -> bool:
    html = _lines(o.get('data', {}).get('text/html', ''))
    return '<progress' in html

def clean_outputs(outputs: list) -> list:
    "Outputs without progress bars, timings and local paths (nbdev-clean does the rest)."
    res = []
    for o in outputs:
        o = dict(o)
        if o['output_type'] == 'stream':
            text = mask_timings(unlocal(_clean_stream(_lines(o['text']))))
            if not text.strip(): continue
            o['text'] = _split(text)
        elif o['output_type'] in ('display_data', 'execute_result'):
            if _is_bar(o): continue
            data = dict(o['data'])
            for k in ('image/svg+xml', 'application/pdf'):
                if k in data and ('image/png' in data or 'text/plain' in data): data.pop(k)
            for k, v in data.items():
                if isinstance(v, (str, list)) and not k.startswith('image/'):
                    data[k] = _split(mask_timings(unlocal(_lines(v)))) if k.startswith('text/') else unlocal(_lines(v))
            if 'image/png' in data: data['image/png'] = small_png(_lines(data['image/png']))
            o['data'] = data
        elif o['output_type'] == 'error':
            o['traceback'] = [unlocal(t) for t in o['traceback']]
            o['evalue'] = unlocal(o.get('evalue', ''))
        res.append(o)
    return res

def output_texts(outputs: list):
    "Every text in `outputs` (streams, text mime types, JSON, tracebacks)."
    for o in outputs:
        if 'text' in o: yield _lines(o['text'])
        for k, v in o.get('data', {}).items():
            if not k.startswith('image/') or k == 'image/svg+xml': yield v if isinstance(v, str) else json.dumps(v) if not isinstance(v, list) else ''.join(v)
        for t in o.get('traceback', []): yield t

def shows(outputs: list) -> bool:
    "Does a cell with these outputs show the reader something? (stderr alone is warnings, not a lesson's result)"
    return any(o['output_type'] != 'stream' or o.get('name') != 'stderr' for o in outputs)

# ------------------------------------------------------------------------------------------------------ size limits
_WAV_RE = re.compile(r'data:audio/(?:x-)?wav;base64,([A-Za-z0-9+/=\s]+)')

def audio_problems(outputs: list) -> list:
    "Audio players over the limits: rate above MAX_AUDIO_SR or longer than MAX_AUDIO_S seconds."
    probs = []
    for text in output_texts(outputs):
        for m in _WAV_RE.finditer(text):
            with wave.open(io.BytesIO(base64.b64decode(m.group(1)))) as w:
                sr, secs = w.getframerate(), w.getnframes() / w.getframerate()
            if sr > MAX_AUDIO_SR or secs > MAX_AUDIO_S:
                probs.append(f'an audio player at {sr} Hz, {secs:.1f} s (at most {MAX_AUDIO_SR} Hz, {MAX_AUDIO_S:g} s)')
    return probs

def output_bytes(nb: dict) -> int:
    "Bytes of a notebook's outputs, as JSON (images and audio as base64)."
    return sum(len(json.dumps(c.get('outputs', []))) for c in nb['cells'] if c['cell_type'] == 'code')

# --------------------------------------------------------------------------------------------------------- running
def execute(path: Path, flags: str = '') -> tuple:
    "Run the notebook at `path` as nbdev-test does; return (cleaned outputs by cell id, ids of the cells that ran)."
    from fastcore.nbio import read_nb
    from fastcore.xtras import working_directory
    from nbdev.config import get_config
    from nbdev.test import nb_test_cells
    from execnb.shell import CaptureShell
    cfg = get_config(path.resolve().parent)
    skip = cfg.tst_flags.split() if isinstance(cfg.tst_flags, str) else list(cfg.tst_flags)
    ran = {c.id for c in nb_test_cells(path, skip, flags.split())}
    nb = read_nb(path)
    os.environ['IN_TEST'] = '1'
    if str(cfg.config_path) not in sys.path: sys.path.insert(0, str(cfg.config_path))
    shell = CaptureShell(path, mpl_format='png')
    shell.run(PREAMBLE)
    if shell.exc: raise shell.exc
    with working_directory(path.parent):
        try: shell.run_all(nb, exc_stop=True, preproc=lambda c: c.id not in ran, cell_timeout=cfg.cell_timeout or None)
        except Exception:
            sys.stderr.write(f'{path.relative_to(ROOT)} failed:\n{shell.prettytb(fname=path)}\n')
            raise SystemExit(1)
    outs = {c.id: clean_outputs([dict(o) for o in c.get('outputs', [])]) for c in nb.cells if c.id in ran}
    return json.loads(json.dumps(outs)), ran

def clean(nb, path: Path):
    "Clean `nb` in place as `nbdev-clean` does with this project's settings (no execution counts, no volatile metadata)."
    from nbdev.config import get_config
    from nbdev.clean import clean_nb
    cfg = get_config(path.resolve().parent)
    clean_nb(nb, bool(cfg.clear_all), cfg.get('allowed_metadata_keys') or [], cfg.get('allowed_cell_metadata_keys') or [],
             cfg.clean_ids, cfg.get('allowed_out_metadata_keys') or [])

def save(path: Path, fresh: dict):
    "Write `fresh` outputs into the notebook at `path` (cells that did not run keep theirs), cleaned as nbdev-clean does."
    from fastcore.nbio import read_nb, write_nb

    nb = read_nb(path)
    for c in nb.cells:
        if c.cell_type == 'code' and c.id in fresh: c['outputs'] = fresh[c.id]
    clean(nb, path)
    probs = problems(nb)
    if probs: raise SystemExit(f'{path.relative_to(ROOT)}: ' + '; '.join(probs))
    tmp = path.with_name(f'.{path.name}.tmp')
    write_nb(nb, tmp)
    os.replace(tmp, path)

def problems(nb) -> list:
    "What is wrong with a notebook's outputs: local paths, oversized audio, too many bytes."
    probs = []
    for c in nb['cells']:
        outs = c.get('outputs', [])
        paths = sorted({p for t in output_texts(outs) for p in local_paths(t)})
        if paths: probs.append(f'cell {c.get("id")} reveals local paths {paths[:3]}')
        probs += [f'cell {c.get("id")} has {p}' for p in audio_problems(outs)]
    n = output_bytes(nb)
    if n > MAX_NB_BYTES: probs.append(f'{n:,} bytes of outputs (at most {MAX_NB_BYTES:,}: smaller figures, fewer clips)')
    return probs

def default_cells(path: Path) -> set:
    "Ids of the cells that run without test flags: those `make outputs` saves (a flagged cell may have no outputs)."
    from nbdev.config import get_config
    from nbdev.test import nb_test_cells
    skip = get_config(path.resolve().parent).tst_flags
    return {c.id for c in nb_test_cells(path, skip.split() if isinstance(skip, str) else list(skip), [])}

def check(path: Path, fresh: dict) -> list:
    "Problems of the committed notebook at `path` against this run's `fresh` outputs."
    nb = json.loads(path.read_text(encoding='utf-8'))
    probs, required = problems(nb), default_cells(path)
    missing = [c['id'] for c in nb['cells'] if c['cell_type'] == 'code' and c.get('id') in required
               and shows(fresh.get(c.get('id'), [])) and not c.get('outputs')]
    if missing: probs.append(f'{len(missing)} cell(s) show something when run but have no committed output '
                             f'(ids {", ".join(missing[:5])}): run `make outputs`')
    return probs

def run_one(path: Path, flags: str, check_only: bool) -> int:
    t0 = time.time()
    fresh, _ = execute(path, flags)
    name = path.relative_to(ROOT)
    if check_only:
        probs = check(path, fresh)
        for p in probs: print(f'{name}: {p}', file=sys.stderr)
        return 1 if probs else 0
    save(path, fresh)
    nb = json.loads(path.read_text(encoding='utf-8'))
    print(f'{name}: {output_bytes(nb):,} bytes of outputs, {time.time() - t0:.0f} s', flush=True)
    return 0

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('notebooks', nargs='*', type=Path, help='notebooks to run (default: all that nbdev-test picks)')
    ap.add_argument('--check', action='store_true', help='write nothing; fail if committed outputs are missing or local')
    ap.add_argument('--flags', default='', help='test flags to run as well, e.g. "slow" (as nbdev-test --flags)')
    ap.add_argument('--jobs', type=int, default=int(os.environ.get('ASD_NB_TEST_JOBS') or min(os.cpu_count() or 1, 4)),
                    help='notebooks run side by side, each in its own process')
    a = ap.parse_args()
    nbs = [p.resolve() for p in a.notebooks] or notebooks()
    missing = [str(p) for p in nbs if not p.exists()]
    if missing: sys.exit(f'no such notebook: {", ".join(missing)}')
    if len(nbs) == 1 and all(os.environ.get(k) == v for k, v in QUIET_ENV.items()):
        sys.exit(run_one(nbs[0], a.flags, a.check))
    # each notebook in a fresh process with the fixed environment (hash seed, threads, no bars)
    env = {**os.environ, **QUIET_ENV, 'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])}
    cmd = lambda p: [sys.executable, __file__, str(p), '--flags', a.flags] + (['--check'] if a.check else [])
    t0, todo, running, failed = time.time(), list(nbs), [], []
    while todo or running:
        while todo and len(running) < max(1, a.jobs):
            p = todo.pop(0); running.append((p, subprocess.Popen(cmd(p), cwd=ROOT, env=env)))
        time.sleep(0.2)
        for p, proc in list(running):
            if proc.poll() is not None:
                running.remove((p, proc))
                if proc.returncode: failed.append(p.relative_to(ROOT))
    total = sum(output_bytes(json.loads(p.read_text(encoding='utf-8'))) for p in nbs)
    print(f'{len(nbs)} notebooks, {total:,} bytes of outputs, {time.time() - t0:.0f} s'
          + (f'; FAILED: {", ".join(map(str, failed))}' if failed else ''))
    sys.exit(1 if failed else 0)

if __name__ == '__main__': main()
