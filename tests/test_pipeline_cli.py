"""`asd-nb run`, `score`, `predict`, `train`, `compare` and `demo`, run as a user runs them: in subprocesses, on a tiny synthetic dataset.

Every call starts a fresh Python (6 to 15 s of imports on 2 cores), so the checks are grouped into few calls, and
calls that do not depend on each other run side by side (`asd_nb_many`, and the two chains of the `chains` fixture).
One ssl `run` (a wrong encoder path, then an interrupted run, then the resumed one) fits the detectors that `score`,
`predict` and the tampering checks use; `train` / `score` / retrain / `score` checks that stale scores are replaced;
the four baselines run on one machine type. The expected files, names and numbers are derived here from the dataset
folder and from the files a command wrote, not from asd_nb."""
import csv, json, math, os, re, shutil, subprocess, sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import make_tiny_inputs

EXE = Path(sys.executable).parent/'asd-nb'
ENV = {**os.environ, 'PYTHONWARNINGS': 'ignore', 'OMP_NUM_THREADS': '1'}
TINY = ['--steps', '4', '--steps-per-epoch', '4', '--bs', '4', '--crop-seconds', '0.5', '--emb-dim', '16', '--valid-pct', '0']
# The five systems of the registry: detector class and the settings their name fixes (checked in config.json)
# Scores of the same clips compared across processes and commands: float32 sums depend on how the clips are batched
TOL = dict(rel=1e-4, abs=1e-6)
SYSTEMS = {'ssl': ('SSLDetector', {}), 'ae': ('AEDetector', {'score': 'mse'}), 'ae-mahala': ('AEDetector', {'score': 'mahala'}),
           'mobilenet': ('MobileNetDetector', {'score': 'nll'}), 'mobilenet-knn': ('MobileNetDetector', {'score': 'knn'})}


def asd_nb(*args, timeout=600) -> subprocess.CompletedProcess:
    "Run the installed `asd-nb` with `args` in a subprocess."
    if not EXE.exists(): pytest.fail('the asd-nb console script is not installed; run `pip install --no-deps -e .`')
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=ENV)


def asd_nb_many(*calls, jobs: int = 3) -> list:
    "Run independent `asd-nb` calls (argument lists) side by side; their CompletedProcesses, in order."
    with ThreadPoolExecutor(jobs) as ex: return list(ex.map(lambda a: asd_nb(*a), calls))


def python(code: str, *args, timeout=600) -> subprocess.CompletedProcess:
    "Run `code` in a new Python process (as a user's script would), with `args` as sys.argv[1:]."
    return subprocess.run([sys.executable, '-c', code, *map(str, args)], capture_output=True, text=True, timeout=timeout, env=ENV)


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    "A tiny synthetic dataset (fan and valve, 1 s clips) and a tiny random-init Whisper encoder folder."
    return make_tiny_inputs(tmp_path_factory.mktemp('pipeline'), 'whisper', 'fan,valve',
                            n_source_train=8, n_target_train=3, n_test=3, duration=1.)


def assert_user_error(r, *parts, code=2):
    "Exit status `code` (2: a usage error; 1: a data or model error) and one `asd-nb: error:` line naming `parts`, without a traceback."
    assert r.returncode == code, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert 'Traceback' not in r.stderr, r.stderr
    err = [l for l in r.stderr.splitlines() if l.startswith('asd-nb: error: ')]
    assert len(err) == 1, r.stderr
    for p in parts: assert str(p) in err[0], (p, err[0])


def read_rows(path: Path) -> list:
    with open(path, newline='') as f: return list(csv.reader(f))


def scores_of(path: Path) -> dict:
    "Clip name -> value of a headerless submission file."
    return {name: float(v) for name, v in read_rows(path)}


def clip_names(data: Path, machine: str) -> list:
    return sorted(p.name for p in (data/machine/'test').glob('*.wav'))


def check_submission(res: Path, data: Path, machine: str):
    "One row per test clip in each file, the test clips' own names, finite scores, 0/1 decisions."
    names = clip_names(data, machine)
    scores = read_rows(res/f'anomaly_score_{machine}_section_00_test.csv')
    decisions = read_rows(res/f'decision_result_{machine}_section_00_test.csv')
    assert sorted(r[0] for r in scores) == names and sorted(r[0] for r in decisions) == names
    assert all(len(r) == 2 and math.isfinite(float(r[1])) for r in scores)
    assert {r[1] for r in decisions} <= {'0', '1'}


def snapshot(folder: Path) -> dict:
    "Relative path -> (size, mtime_ns) of every file under `folder`."
    return {p.relative_to(folder).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(folder.rglob('*')) if p.is_file()}


def manifest(folder: Path) -> list:
    return json.loads((folder/'.asd_nb-outputs.json').read_text())['outputs']


def test_help_explains_the_commands():
    run, score, predict = asd_nb_many(['run', '--help'], ['score', '--help'], ['predict', '--help'])
    assert run.returncode == score.returncode == predict.returncode == 0, (run.stderr, score.stderr, predict.stderr)
    for opt in ('DATA_ROOT', '--backbone NAME_OR_PATH', '--out RESULTS_DIR', '--system SYSTEM', *SYSTEMS, '--epochs', '--machines',
                '--steps', '--last-layer-only', '--no-status-aug', '--segment-pooling', '--n-frames', '--banks', '--overwrite'):
        assert opt in run.stdout, opt
    for gone in ('--no-transformer-pooling', '--patch-frames', '--cache-dir'): assert gone not in run.stdout + score.stdout, gone
    for part in ('DETECTORS', 'DATA_ROOT', '--out RESULTS_DIR', '--machines', '--overwrite'): assert part in score.stdout, part
    for part in ('DETECTOR_DIR', 'CLIPS', '--out CSV', '--dcase-files DIR', '--json'): assert part in predict.stdout, part


def test_in_a_script_stdout_is_the_table_alone(tiny):
    """Not a terminal, as in `asd-nb run ... > log.txt`: stdout is exactly the results table; stderr one line per stage
    with its time, no progress bar. Run again with `--json -q`: the numbers of results.json, and on stderr only notes."""
    res = tiny/'script'
    r = asd_nb('run', tiny/'data', '--system', 'ae', '--epochs', '1', '--machines', 'fan', '--out', res, '--device', 'cpu')
    assert r.returncode == 0, r.stderr[-3000:]
    assert r.stdout == (res/'results.md').read_text().split('\n\nNote: ')[0].rstrip('\n') + '\n', r.stdout
    assert all(l.startswith('asd-nb: ') for l in r.stderr.splitlines()) and '\r' not in r.stderr and '█' not in r.stderr, r.stderr
    assert re.search(r'^asd-nb: fan: ae detector fitted on \d+ clips in [\d.]+ s$', r.stderr, re.M), r.stderr
    assert re.search(r'^asd-nb: fan: scored \d+ clips in [\d.]+ s$', r.stderr, re.M), r.stderr
    q = asd_nb('run', tiny/'data', '--system', 'ae', '--epochs', '1', '--machines', 'fan', '--out', res, '--device', 'cpu', '--json', '-q')
    assert q.returncode == 0 and json.loads(q.stdout) == json.loads((res/'results.json').read_text()), q.stdout
    assert q.stderr.startswith('asd-nb: note: fan: already scored') and all(l.startswith('asd-nb: note: ') for l in q.stderr.splitlines()), q.stderr


# ---- two chains of dependent commands, run side by side (each keeps one core busy) ----

def ssl_chain(tiny) -> SimpleNamespace:
    """`asd-nb run` of the ssl system as a user may meet it: a wrong encoder path into a new RESULTS_DIR; the corrected
    command into the same folder, which stops at a corrupt valve training clip (found when the clips are read, before
    any fitting); the same command once the clip is repaired. Each call's output and what the folder held after it."""
    data, res = tiny/'data', tiny/'results'
    run = lambda backbone, *extra: asd_nb('run', data, '--backbone', backbone, '--out', res, '--machines', 'fan,valve', *TINY, *extra)
    s = SimpleNamespace(data=data, res=res)
    s.no_model = run('/not/a/model', '--no-progress')
    s.after_no_model = res.exists() and sorted(p.name for p in res.iterdir())
    s.bad = sorted((data/'valve'/'train').glob('*.wav'))[0]
    good = s.bad.read_bytes()
    s.bad.write_bytes(b'RIFF' + bytes(40))
    try: s.interrupted = run(tiny/'encoder', '--no-progress')
    finally: s.bad.write_bytes(good)
    s.after_interrupted = snapshot(res) if res.exists() else {}
    s.resumed = run(tiny/'encoder')
    return s


def retrain_chain(tiny) -> SimpleNamespace:
    """`asd-nb train` (fan) into RUN, `score RUN` into S; train again with --overwrite and another seed, score into S again;
    then the user adds files to S and scores into it with --overwrite. Each call's output and S's scores after it."""
    data, run_dir, out = tiny/'data', tiny/'run', tiny/'scored'
    train = ['train', data, '--machine', 'fan', '--backbone', tiny/'encoder', '--out', run_dir, *TINY, '--no-progress']
    c = SimpleNamespace(data=data, run_dir=run_dir, out=out, calls=[])
    scored = lambda: (scores_of(out/'anomaly_score_fan_section_00_test.csv'), json.loads((out/'scoring'/'fan.json').read_text()))
    for args, after in ((train, None), (['score', run_dir, data, '--out', out, '--no-progress'], 'first'),
                        ([*train, '--overwrite', '--seed', '7'], 'seed7'), (['score', run_dir, data, '--out', out], 'second'),
                        (['score', run_dir, data, '--out', out, '--overwrite', '--no-progress'], 'third')):
        if after == 'third':  # the user's own file and folder in the results folder
            (out/'my notes.txt').write_text('mine')
            (out/'figures').mkdir()
            (out/'figures'/'f.png').write_bytes(b'png')
        c.calls.append(r := asd_nb(*args))
        if r.returncode: break
        if after == 'seed7': c.seed7 = json.loads((run_dir/'detector'/'config.json').read_text())['settings']['seed']
        elif after: setattr(c, after, scored())
    return c


@pytest.fixture(scope='module')
def chains(tiny) -> SimpleNamespace:
    "The ssl run that the later tests reuse, and the retraining scenario, run side by side."
    with ThreadPoolExecutor(2) as ex:
        retrain = ex.submit(retrain_chain, tiny)
        return SimpleNamespace(ssl=ssl_chain(tiny), retrain=retrain.result())


@pytest.fixture(scope='module')
def ssl_run(chains): return chains.ssl


@pytest.mark.slow  # minutes of subprocesses; the same behaviours are checked in-process by nbs/08a, 08b and 13 (run with FLAGS=slow)
def test_run_recovers_from_a_wrong_encoder_and_resumes_after_a_failure(ssl_run):
    s, res, data = ssl_run, ssl_run.res, ssl_run.data
    # (issue 16) a wrong encoder path is refused before RESULTS_DIR is touched: the corrected command may use the same folder
    assert_user_error(s.no_model, '/not/a/model', code=1)
    assert s.after_no_model in (False, []), s.after_no_model
    # the corrected command got past the encoder; the corrupt valve clip is named when the clips are read, before any
    # fitting: nothing is fitted or scored (that a finished machine type is kept when the command runs again: nbs/13_pipeline)
    assert_user_error(s.interrupted, s.bad.name, code=1)
    done = s.after_interrupted
    assert not any(p.startswith(('scoring/', 'detectors/')) or p.endswith('_test.csv') for p in done), sorted(done)
    # the same command once the clip is repaired: both machine types are fitted and scored, then the table
    r = s.resumed
    assert r.returncode == 0, r.stderr[-3000:]
    assert all(re.search(rf'{m}: ssl detector fitted on \d+ clips in', r.stderr) for m in ('fan', 'valve')), r.stderr[-3000:]
    assert '| official score |' in r.stdout
    for m in ('fan', 'valve'): check_submission(res, data, m)
    top = sorted(p.name for p in res.iterdir())
    assert top == ['.asd_nb-outputs.json', 'anomaly_score_fan_section_00_test.csv', 'anomaly_score_valve_section_00_test.csv',
                   'decision_result_fan_section_00_test.csv', 'decision_result_valve_section_00_test.csv', 'detectors',
                   'pipeline.json', 'plots', 'results.csv', 'results.json', 'results.md', 'runs', 'scoring'], top
    assert sorted(manifest(res)) == top[1:]  # every entry but the manifest itself is asd_nb's
    assert sorted(p.name for p in (res/'plots').glob('*.png')) == ['fan_section_00.png', 'valve_section_00.png']
    for m in ('fan', 'valve'):
        cfg = json.loads((res/'detectors'/m/'config.json').read_text())
        assert cfg['detector'] == 'SSLDetector' and cfg['fitted']['info']['machine'] == m
        assert (res/'detectors'/m/'README.md').read_text().startswith(f'# {m}\n')
        rec = json.loads((res/'scoring'/f'{m}.json').read_text())
        assert rec['system'] == 'ssl' and rec['n_test'] == len(clip_names(data, m)) and rec['detector'] and rec['data']
        assert rec['threshold'] == pytest.approx(cfg['fitted']['threshold'])


@pytest.mark.slow  # minutes of subprocesses; the same behaviours are checked in-process by nbs/08a, 08b and 13 (run with FLAGS=slow)
def test_score_with_the_saved_detectors(ssl_run, tiny):
    "`asd-nb score R/detectors DATA` gives the run's own scores; other settings and an output folder holding the detectors are refused."
    res, data, new = ssl_run.res, ssl_run.data, tiny/'rescored'
    r = asd_nb('score', res/'detectors', data, '--out', new, '--no-progress')
    assert r.returncode == 0, r.stderr[-3000:]
    assert '| official score |' in r.stdout
    for m in ('fan', 'valve'):
        check_submission(new, data, m)
        for kind in ('anomaly_score', 'decision_result'):
            name = f'{kind}_{m}_section_00_test.csv'
            got, want = scores_of(new/name), scores_of(res/name)
            assert got.keys() == want.keys() and all(got[k] == pytest.approx(want[k], **TOL) for k in want), (name, got, want)
        rec = json.loads((new/'scoring'/f'{m}.json').read_text())
        assert rec['detector_dir'] == str((res/'detectors'/m).resolve())
        assert rec['detector'] == json.loads((res/'scoring'/f'{m}.json').read_text())['detector']  # the same saved detector
    assert json.loads((new/'pipeline.json').read_text())['detectors'] == {m: str((res/'detectors'/m).resolve()) for m in ('fan', 'valve')}

    before, dets = snapshot(new), snapshot(res/'detectors')
    other, into_results = asd_nb_many(['score', res/'detectors', data, '--out', new, '--machines', 'fan', '--no-progress'],
                                      ['score', res/'detectors', data, '--out', res, '--overwrite', '--no-progress'])
    assert_user_error(other, 'holds results of other settings', 'detectors')
    assert snapshot(new) == before
    # (issue 16) scoring into the folder that holds the detectors, with --overwrite, would delete them: refused
    assert_user_error(into_results, 'is or contains the input', res/'detectors')
    assert snapshot(res/'detectors') == dets and (res/'results.csv').exists()


LOAD_AND_SCORE = """
import json, sys
from asd_nb.systems import load_detector
folders, clips = json.loads(sys.argv[1]), sys.argv[2:]
out = {}
for f in folders:
    det = load_detector(f)
    out[f] = dict(detector=type(det).__name__, scores=det.decision_function(clips).tolist(), decisions=det.predict(clips).tolist())
print(json.dumps(out))
"""


@pytest.mark.slow  # minutes of subprocesses; the same behaviours are checked in-process by nbs/08a, 08b and 13 (run with FLAGS=slow)
def test_every_system_of_the_registry_runs_and_its_detector_scores_alike_in_a_new_process(ssl_run, tiny):
    """`run --system S` for the four baselines (on fan; ssl is the shared run): each writes RESULTS_DIR/detectors/fan and the
    submission files; then a new Python process loads each detector folder with `load_detector` and its
    `decision_function` / `predict` on the test clips give the run's anomaly_score_ / decision_result_ files. `compare`
    sets two of them side by side."""
    data, base = ssl_run.data, tiny/'systems'
    opts = {'ae': ['--epochs', '1'], 'ae-mahala': ['--epochs', '1', '--n-frames', '3'],
            'mobilenet': ['--epochs', '1', '--n-frames', '16'], 'mobilenet-knn': ['--epochs', '1', '--n-frames', '16']}
    runs = asd_nb_many(*[['run', data, '--system', s, '--machines', 'fan', '--out', base/s, '--no-progress', *o] for s, o in opts.items()], jobs=2)
    folders = {'ssl': ssl_run.res, **{s: base/s for s in opts}}
    for s, r in zip(opts, runs):
        assert r.returncode == 0, (s, r.stderr[-3000:])
        assert '| official score |' in r.stdout, s
        check_submission(base/s, data, 'fan')
        assert not (base/s/'runs').exists()  # only the ssl system fine-tunes
        assert json.loads((base/s/'scoring'/'fan.json').read_text())['system'] == s
    for s, folder in folders.items():
        cfg = json.loads((folder/'detectors'/'fan'/'config.json').read_text())
        cls, fixed = SYSTEMS[s]
        assert cfg['detector'] == cls and fixed.items() <= cfg['settings'].items(), (s, cfg['settings'])
    # --n-frames is shared: the autoencoder's frames per vector, MobileNetV2's frames per patch; unset, each system's own
    n_frames = {s: json.loads((base/s/'detectors'/'fan'/'config.json').read_text())['settings']['n_frames'] for s in opts}
    assert n_frames == {'ae': 5, 'ae-mahala': 3, 'mobilenet': 16, 'mobilenet-knn': 16}, n_frames

    clips = sorted((data/'fan'/'test').glob('*.wav'))
    dets = [str(f/'detectors'/'fan') for f in folders.values()]
    with ThreadPoolExecutor(2) as ex:
        loaded = ex.submit(python, LOAD_AND_SCORE, json.dumps(dets), *clips)
        comp, not_results = asd_nb_many(['compare', base/'ae-mahala', base/'mobilenet'], ['compare', base/'ae-mahala', data], jobs=2)
        loaded = loaded.result()
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    got = json.loads(loaded.stdout.splitlines()[-1])
    for (s, folder), d in zip(folders.items(), dets):
        assert got[d]['detector'] == SYSTEMS[s][0]
        want = scores_of(folder/'anomaly_score_fan_section_00_test.csv')
        assert got[d]['scores'] == pytest.approx([want[c.name] for c in clips], **TOL), s
        decisions = scores_of(folder/'decision_result_fan_section_00_test.csv')
        assert got[d]['decisions'] == [int(decisions[c.name]) for c in clips], s

    assert comp.returncode == 0, comp.stderr[-3000:]
    rows = [l for l in comp.stdout.splitlines() if l.startswith('| ')]
    assert rows[0] == '| system | official score | fan |', rows
    assert [l.split('|')[1].strip() for l in rows[2:]] == ['ae-mahala', 'mobilenet'], rows
    official = {l.split('|')[1].strip(): float(l.split('|')[2]) for l in rows[2:]}
    for system in official:  # the same number as the folder's own table, in %
        own = next(l for l in (base/system/'results.md').read_text().splitlines() if l.startswith('| official score |'))
        assert abs(official[system] - 100 * float(own.split('|')[2])) <= 0.0101, (official, own)  # both rounded: 2 digits in %, 4 as a fraction
    assert_user_error(not_results, 'has no results.csv', code=1)


# ---- asd-nb predict ----

@pytest.mark.slow  # minutes of subprocesses; the same behaviours are checked in-process by nbs/08a, 08b and 13 (run with FLAGS=slow)
def test_predict_scores_files_and_names_the_unreadable_ones(ssl_run, tiny):
    "A folder of fan test clips with one corrupt file: every good clip is scored as the run scored it; the bad one is named."
    res, data = ssl_run.res, ssl_run.data
    clips = tiny/'new_clips'
    shutil.copytree(data/'fan'/'test', clips/'fan')
    (clips/'broken.wav').write_bytes(b'RIFF' + bytes(40))
    (clips/'notes.txt').write_text('not audio: skipped')
    good = sorted((clips/'fan').glob('*.wav'))
    to_csv, to_json = asd_nb_many(
        ['predict', res/'detectors'/'fan', clips, '--out', tiny/'p.csv', '--dcase-files', tiny/'dcase', '--no-progress'],
        ['predict', res/'detectors'/'fan', *good[:2], '--json', '--no-progress'])

    assert to_csv.returncode == 1 and 'Traceback' not in to_csv.stderr, (to_csv.returncode, to_csv.stderr[-3000:])
    errors = [l for l in to_csv.stderr.splitlines() if l.startswith('asd-nb: error: ')]
    assert any(str(clips/'broken.wav') in l for l in errors) and not any('fan/section_' in l for l in errors), errors
    want = scores_of(res/'anomaly_score_fan_section_00_test.csv')
    want_dec = scores_of(res/'decision_result_fan_section_00_test.csv')
    rows = read_rows(tiny/'p.csv')
    assert rows[0] == ['file', 'score', 'decision']
    got = {Path(f).name: (float(s), int(d)) for f, s, d in rows[1:]}
    assert sorted(got) == sorted(want) == [p.name for p in good]  # every good clip, nothing else
    for name, (s, d) in got.items():
        assert s == pytest.approx(want[name], **TOL) and d == want_dec[name], name
    # --dcase-files: the official files, named from the detector's machine type and the clips' section
    # (beside them: the folder's settings, predict.json, and asd_nb's record of the files it wrote, .asd_nb-outputs.json)
    assert sorted(p.name for p in (tiny/'dcase').iterdir() if p.suffix == '.csv') == ['anomaly_score_fan_section_00_test.csv', 'decision_result_fan_section_00_test.csv']
    dcase = scores_of(tiny/'dcase'/'anomaly_score_fan_section_00_test.csv')
    assert dcase.keys() == want.keys() and all(dcase[k] == pytest.approx(want[k], **TOL) for k in want)
    assert scores_of(tiny/'dcase'/'decision_result_fan_section_00_test.csv') == want_dec

    assert to_json.returncode == 0, to_json.stderr[-3000:]
    items = json.loads(to_json.stdout)
    assert [Path(i['file']).name for i in items] == [p.name for p in good[:2]]
    for i in items:
        assert set(i) == {'file', 'score', 'decision'}
        assert i['score'] == pytest.approx(want[Path(i['file']).name], **TOL) and i['decision'] == want_dec[Path(i['file']).name]


@pytest.mark.slow  # minutes of subprocesses; the same behaviours are checked in-process by nbs/08a, 08b and 13 (run with FLAGS=slow)
def test_predict_refuses_a_tampered_detector(ssl_run, tiny):
    "A changed or missing safetensors file, or a config.json of a newer format: exit status 1, the file named, no traceback."
    src, clip = ssl_run.res/'detectors'/'fan', sorted((ssl_run.data/'fan'/'test').glob('*.wav'))[0]
    changed, missing, newer = (tiny/'tampered'/n for n in ('changed', 'missing', 'newer'))
    for d in (changed, missing, newer): shutil.copytree(src, d)
    weights = changed/'encoder'/'model.safetensors'
    b = bytearray(weights.read_bytes())
    b[-1] ^= 0xFF  # one flipped byte at the end of the last tensor: the same size, another SHA-256
    weights.write_bytes(bytes(b))
    (missing/'knn.safetensors').unlink()
    cfg = json.loads((newer/'config.json').read_text())
    (newer/'config.json').write_text(json.dumps({**cfg, 'format_version': 99}))
    rs = asd_nb_many(*[['predict', d, clip, '--no-progress'] for d in (changed, missing, newer)])
    for r, name, why in zip(rs, (weights, missing/'knn.safetensors', newer/'config.json'),
                            ('does not match what was saved', 'is missing', 'format 99')):
        assert_user_error(r, name, why, code=1)
        assert r.stdout == ''


# ---- wrong arguments, and the folders they must not touch ----

@pytest.mark.slow  # minutes of subprocesses; the same behaviours are checked in-process by nbs/08a, 08b and 13 (run with FLAGS=slow)
def test_bad_arguments_name_the_problem(tiny):
    data, enc = tiny/'data', tiny/'encoder'
    (tiny/'someone').mkdir()
    (tiny/'someone'/'notes.txt').write_text('mine')
    # (issue 16) a dataset copied into the results folder, then run with --overwrite: refused, the copy kept
    shutil.copytree(data, tiny/'p'/'data')
    copied = snapshot(tiny/'p'/'data')
    rs = asd_nb_many(
        ['run', tiny/'nowhere', '--backbone', enc, '--out', tiny/'r1', *TINY],
        ['run', data, '--backbone', enc, '--out', tiny/'r2', '--machines', 'pump', *TINY],
        ['score', data, data, '--out', tiny/'r3'],
        ['run', data, '--backbone', enc, '--out', tiny/'someone', *TINY],
        ['run', data, '--out', tiny/'r4'],
        ['run', data, '--out', tiny/'r5', '--system', 'ae', '--steps', '5'],
        ['run', data, '--out', tiny/'r6', '--system', 'svm'],
        ['predict', data/'fan', data/'fan'/'test'],
        ['run', tiny/'p'/'data', '--out', tiny/'p', '--overwrite', '--system', 'ae', '--epochs', '1'])
    assert_user_error(rs[0], 'nowhere', 'no such folder', code=1)
    assert_user_error(rs[1], "no machine 'pump'", code=1)
    assert_user_error(rs[2], 'holds no saved detector', code=1)
    assert_user_error(rs[3], tiny/'someone', 'already holds')
    assert (tiny/'someone'/'notes.txt').read_text() == 'mine' and [p.name for p in (tiny/'someone').iterdir()] == ['notes.txt']
    assert_user_error(rs[4], 'needs a pretrained encoder', '--backbone')
    assert_user_error(rs[5], '--steps is an option of --system ssl')
    assert rs[6].returncode == 2 and 'invalid choice' in rs[6].stderr and 'mobilenet-knn' in rs[6].stderr
    assert_user_error(rs[7], data/'fan', 'not a saved detector', code=1)
    assert_user_error(rs[8], 'is or contains the input', tiny/'p'/'data')
    assert snapshot(tiny/'p'/'data') == copied and [p.name for p in (tiny/'p').iterdir()] == ['data']
    assert not any((tiny/n).exists() for n in ('r1', 'r2', 'r3', 'r4', 'r5', 'r6'))


@pytest.mark.slow  # minutes of subprocesses; the same behaviours are checked in-process by nbs/08a, 08b and 13 (run with FLAGS=slow)
def test_scores_of_a_retrained_model_are_not_reused(chains):
    """(issue 16) `asd-nb train` into RUN, `score RUN` into S, train again with --overwrite and another seed, score into S
    again: the new model's scores replace the old ones, and stderr says so. Then --overwrite on S keeps the user's files."""
    c = chains.retrain
    assert len(c.calls) == 5 and all(r.returncode == 0 for r in c.calls), [(r.args[1:3], r.returncode, r.stderr[-2000:]) for r in c.calls]
    train1, score1, train2, score2, score3 = c.calls
    assert f"asd-nb: detector saved in {c.run_dir/'detector'}" in train1.stderr
    check_submission(c.out, c.data, 'fan')
    assert c.seed7 == 7
    assert 'fan: the scores in' in score2.stderr and 'computed from another model; scoring again' in score2.stderr, score2.stderr[-3000:]
    (first, first_rec), (second, second_rec), (third, _) = c.first, c.second, c.third
    assert second.keys() == first.keys() == set(clip_names(c.data, 'fan'))
    assert any(abs(second[k] - first[k]) > 1e-6 for k in first), (first, second)
    assert second_rec['detector'] != first_rec['detector'] and second_rec['data'] == first_rec['data']
    # (issue 16) the user's own file and folder in a results folder survive --overwrite; asd_nb's files are written again
    assert 'already scored' not in score3.stderr and 'scoring again' not in score3.stderr  # cleared, then scored afresh
    assert (c.out/'my notes.txt').read_text() == 'mine' and (c.out/'figures'/'f.png').read_bytes() == b'png'
    owned = manifest(c.out)
    assert 'my notes.txt' not in owned and 'figures' not in owned and 'anomaly_score_fan_section_00_test.csv' in owned
    assert third.keys() == second.keys() and all(third[k] == pytest.approx(second[k], **TOL) for k in second)


@pytest.mark.slow
def test_demo_learns(tmp_path):
    "The README's main command: all four synthetic machine types, 600 steps; about 70 s on 2 idle cores."
    r = asd_nb('demo', '--out', tmp_path/'demo')
    assert r.returncode == 0, r.stderr[-3000:]
    line = next(l for l in r.stdout.splitlines() if l.startswith('| official score |'))
    assert float(line.split('|')[2]) >= 0.6, line
    assert sorted(p.name for p in (tmp_path/'demo'/'results'/'plots').glob('*.png')) == \
        [f'{m}_section_00.png' for m in ('bearing', 'fan', 'slider', 'valve')]
    assert sorted(p.name for p in (tmp_path/'demo'/'results'/'detectors').iterdir()) == ['bearing', 'fan', 'slider', 'valve']
