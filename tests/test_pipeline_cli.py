"""`asd-nb run`, `score`, `compare` and `demo`, run as a user runs them: in subprocesses, on a tiny synthetic dataset.

Every call starts a fresh Python (about 6 s of imports on 2 cores), so the checks are grouped into few calls: one
interrupted and one resumed `run`, two `score` calls, and the error cases. The expected files and names are derived
here from the dataset folder, not from asd_nb."""
import csv, math, os, subprocess, sys
from pathlib import Path

import pytest
from conftest import make_tiny_inputs

EXE = Path(sys.executable).parent/'asd-nb'
TINY = ['--steps', '4', '--steps-per-epoch', '4', '--bs', '4', '--crop-seconds', '0.5', '--emb-dim', '16', '--valid-pct', '0']


@pytest.fixture(scope='module')
def asd_nb():
    "Run `asd-nb` with `args` in a subprocess; returns the CompletedProcess."
    if not EXE.exists(): pytest.fail('the asd-nb console script is not installed; run `pip install --no-deps -e .`')
    prefix = [str(EXE)]
    def call(*args, timeout=600):
        return subprocess.run([*prefix, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, 'PYTHONWARNINGS': 'ignore', 'OMP_NUM_THREADS': '1'})
    return call


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    "A tiny synthetic dataset (fan and valve, 1 s clips) and a tiny random-init Whisper encoder folder."
    return make_tiny_inputs(tmp_path_factory.mktemp('pipeline'), 'whisper', 'fan,valve',
                            n_source_train=8, n_target_train=3, n_test=3, duration=1.)


def assert_user_error(r, *parts):
    "Exit status 2 and an `asd-nb: error:` line naming `parts`, without a traceback."
    assert r.returncode == 2, (r.returncode, r.stdout[-2000:], r.stderr[-2000:])
    assert 'Traceback' not in r.stderr, r.stderr
    err = [l for l in r.stderr.splitlines() if l.startswith('asd-nb: error: ')]
    assert len(err) == 1, r.stderr
    for p in parts: assert p in err[0], (p, err[0])


def read_rows(path: Path) -> list:
    with open(path, newline='') as f: return list(csv.reader(f))


def check_submission(res: Path, data: Path, machine: str):
    "One row per test clip in each file, the test clips' own names, finite scores, 0/1 decisions."
    names = sorted(p.name for p in (data/machine/'test').glob('*.wav'))
    scores = read_rows(res/f'anomaly_score_{machine}_section_00_test.csv')
    decisions = read_rows(res/f'decision_result_{machine}_section_00_test.csv')
    assert sorted(r[0] for r in scores) == names and sorted(r[0] for r in decisions) == names
    assert all(len(r) == 2 and math.isfinite(float(r[1])) for r in scores)
    assert {r[1] for r in decisions} <= {'0', '1'}


def test_help_explains_the_commands(asd_nb):
    r = asd_nb('run', '--help')
    assert r.returncode == 0, r.stderr
    for opt in ('DATA_ROOT', '--backbone NAME_OR_PATH', '--out RESULTS_DIR', '--system SYSTEM', 'ae-mahala', '--epochs',
                '--machines', '--steps', '--last-layer-only', '--no-status-aug', '--no-transformer-pooling', '--banks', '--overwrite'):
        assert opt in r.stdout, opt
    r = asd_nb('score', '--help')
    assert r.returncode == 0 and 'RUN_DIR' in r.stdout and 'DATA_ROOT' in r.stdout and '--out RESULTS_DIR' in r.stdout


def test_run_resumes_after_a_failure_and_score_reuses_the_cache(asd_nb, tiny):
    data, res = tiny/'data', tiny/'results'
    bad = sorted((data/'valve'/'train').glob('*.wav'))[0]
    good = bad.read_bytes()
    bad.write_bytes(b'RIFF' + bytes(40))
    try:
        r = asd_nb('run', data, '--backbone', tiny/'encoder', '--out', res, '--machines', 'fan,valve', '--no-progress', *TINY)
    finally: bad.write_bytes(good)
    assert_user_error(r, bad.name)
    check_submission(res, data, 'fan')
    assert not (res/'anomaly_score_valve_section_00_test.csv').exists()
    kept = {p: p.stat().st_mtime_ns for p in [*res.glob('*fan*_test.csv'), res/'runs'/'fan'/'head.safetensors']}

    r = asd_nb('run', data, '--backbone', tiny/'encoder', '--out', res, '--machines', 'fan,valve', *TINY)
    assert r.returncode == 0, r.stderr[-3000:]
    assert 'fan: already scored' in r.stderr
    assert '| official score |' in r.stdout
    assert {p: p.stat().st_mtime_ns for p in kept} == kept
    for m in ('fan', 'valve'): check_submission(res, data, m)
    assert {'results.csv', 'results.md', 'results.json'} <= {p.name for p in res.iterdir()}
    assert sorted(p.name for p in (res/'plots').glob('*.png')) == ['fan_section_00.png', 'valve_section_00.png']

    r = asd_nb('score', res/'runs', data, '--out', tiny/'rescored', '--no-progress', '--no-transformer-pooling')
    assert r.returncode == 0, r.stderr[-3000:]
    for m in ('fan', 'valve'):
        check_submission(tiny/'rescored', data, m)
        record = (tiny/'rescored'/'scoring'/f'{m}.json').read_text()
        assert '"hit": 23' in record and '"miss": 0' in record, record  # 11 train + 12 test clips, all from the cache

    before = {p: p.stat().st_mtime_ns for p in (tiny/'rescored').glob('*_test.csv')}
    r = asd_nb('score', res/'runs', data, '--out', tiny/'rescored', '--no-progress', '--k', '1')
    assert_user_error(r, 'holds results of other settings', 'k')
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_bad_arguments_name_the_problem(asd_nb, tiny):
    data = tiny/'data'
    assert_user_error(asd_nb('run', tiny/'nowhere', '--backbone', tiny/'encoder', '--out', tiny/'r1', *TINY), 'nowhere', 'no such folder')
    assert_user_error(asd_nb('run', data, '--backbone', tiny/'encoder', '--out', tiny/'r2', '--machines', 'pump', *TINY),
                      "no machine 'pump'")
    assert_user_error(asd_nb('score', data, data, '--out', tiny/'r3'), 'holds no fine-tuned model')
    (tiny/'someone').mkdir()
    (tiny/'someone'/'notes.txt').write_text('mine')
    assert_user_error(asd_nb('run', data, '--backbone', tiny/'encoder', '--out', tiny/'someone', *TINY), 'already holds results')
    assert (tiny/'someone'/'notes.txt').read_text() == 'mine'
    assert_user_error(asd_nb('run', data, '--out', tiny/'r4'), 'needs a pretrained encoder', '--backbone')
    assert_user_error(asd_nb('run', data, '--out', tiny/'r5', '--system', 'ae', '--steps', '5'), '--steps is an option of --system ssl')
    r = asd_nb('run', data, '--out', tiny/'r6', '--system', 'svm')
    assert r.returncode == 2 and 'invalid choice' in r.stderr and 'mobilenet-knn' in r.stderr
    assert not any((tiny/n).exists() for n in ('r1', 'r2', 'r3', 'r4', 'r5', 'r6'))


def test_baselines_write_the_same_files_and_compare_side_by_side(asd_nb, tiny):
    "`run --system` for both baseline models, then `compare` on their results folders."
    data = tiny/'data'
    for system, opts in (('ae-mahala', ['--epochs', '3']), ('mobilenet', ['--epochs', '1', '--patch-frames', '16'])):
        r = asd_nb('run', data, '--system', system, '--out', tiny/system, '--no-progress', *opts)
        assert r.returncode == 0, r.stderr[-3000:]
        assert '| official score |' in r.stdout
        for m in ('fan', 'valve'): check_submission(tiny/system, data, m)
        assert '"system": "%s"' % system in (tiny/system/'scoring'/'fan.json').read_text()
    r = asd_nb('compare', tiny/'ae-mahala', tiny/'mobilenet')
    assert r.returncode == 0, r.stderr[-3000:]
    rows = [l for l in r.stdout.splitlines() if l.startswith('| ')]
    assert rows[0] == '| system | official score | fan | valve |', rows
    assert [l.split('|')[1].strip() for l in rows[2:]] == ['ae-mahala', 'mobilenet'], rows
    official = {l.split('|')[1].strip(): float(l.split('|')[2]) for l in rows[2:]}
    for system in official:  # the same number as the folder's own table, in %
        own = next(l for l in (tiny/system/'results.md').read_text().splitlines() if l.startswith('| official score |'))
        assert abs(official[system] - 100 * float(own.split('|')[2])) <= 0.0101, (official, own)  # both rounded: 2 digits in %, 4 as a fraction
    assert_user_error(asd_nb('compare', tiny/'ae-mahala', data), 'has no results.csv')


@pytest.mark.slow
def test_demo_learns(asd_nb, tmp_path):
    "The README's main command: all four synthetic machine types, 600 steps; about 70 s on 2 idle cores."
    r = asd_nb('demo', '--out', tmp_path/'demo')
    assert r.returncode == 0, r.stderr[-3000:]
    line = next(l for l in r.stdout.splitlines() if l.startswith('| official score |'))
    assert float(line.split('|')[2]) >= 0.6, line
    assert sorted(p.name for p in (tmp_path/'demo'/'results'/'plots').glob('*.png')) == \
        [f'{m}_section_00.png' for m in ('bearing', 'fan', 'slider', 'valve')]
