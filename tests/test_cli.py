"""The `asd-nb` console script, run as a user runs it: in a subprocess, checking exit codes, output and messages.

The expected numbers are computed here, independently of asd_nb: the ground truth is read with pandas straight from
the evaluator's CSVs and the metrics come from a direct scikit-learn loop and `scipy.stats.hmean`."""
import json, os, shutil, subprocess, sys
from pathlib import Path

import numpy as np, pandas as pd, pytest
from scipy import stats
from sklearn.metrics import roc_auc_score
from conftest import make_tiny_inputs
from asd_nb.data import sample_dir

GT = sample_dir('dcase2023_eval_ground_truth')
EPS = sys.float_info.epsilon


def asd_nb(*args) -> subprocess.CompletedProcess:
    "Run the installed `asd-nb` console script with `args`."
    exe = Path(sys.executable).parent/'asd-nb'
    exe = str(exe) if exe.exists() else shutil.which('asd-nb')
    if exe is None: pytest.fail('the asd-nb console script is not installed; run `pip install --no-deps -e .`')
    return subprocess.run([exe, *map(str, args)], capture_output=True, text=True, timeout=120)


def assert_user_error(r: subprocess.CompletedProcess, *parts: str, code: int = 2):
    "Exit status `code` (2 usage, 1 data) and a one-line `asd-nb: error:` message containing `parts`, without a traceback."
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    assert 'Traceback' not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith('asd-nb: error: '), r.stderr
    for p in parts: assert p in lines[0], (p, lines[0])


@pytest.fixture(scope='module')
def truth() -> pd.DataFrame:
    "The evaluation ground truth shipped with the package, read with pandas alone: machine, file_name, label (0/1), domain (0/1), original."
    frames = []
    for p in sorted((GT/'ground_truth_data').glob('ground_truth_*_section_00_test.csv')):
        machine = p.name[len('ground_truth_'):-len('_section_00_test.csv')]
        read = lambda kind: pd.read_csv(GT/kind/p.name, header=None, index_col=0).iloc[:, 0]
        lab, dom, orig = read('ground_truth_data'), read('ground_truth_domain'), read('ground_truth_attributes')
        frames.append(pd.DataFrame(dict(machine=machine, file_name=lab.index, label=lab.to_numpy(),
                                        domain=dom.reindex(lab.index).to_numpy(), original=orig.reindex(lab.index).to_numpy() + '.wav')))
    t = pd.concat(frames, ignore_index=True)
    assert t.machine.nunique() == 7 and len(t) == 1400
    return t.assign(score=np.random.default_rng(0).normal(0, 1, len(t)) + 0.8 * t.label)


def write_scores(folder: Path, t: pd.DataFrame, names: str = 'file_name', decisions=None) -> Path:
    "Score CSVs (and decision CSVs if given) in the evaluator's format, written without asd_nb."
    folder.mkdir(parents=True)
    for m, g in t.groupby('machine'):
        (folder/f'anomaly_score_{m}_section_00_test.csv').write_text(''.join(f'{n},{s!r}\n' for n, s in zip(g[names], g.score)))
        if decisions is not None:
            (folder/f'decision_result_{m}_section_00_test.csv').write_text(''.join(f'{n},{int(s > decisions)}\n' for n, s in zip(g[names], g.score)))
    return folder


def expected(t: pd.DataFrame) -> dict:
    "AUC (source), AUC (target), pAUC per machine by a direct loop, and the official summary by scipy."
    per = {}
    for m, g in t.groupby('machine'):
        y, s = g.label.to_numpy(), g.score.to_numpy()
        src, tgt = (g.domain.to_numpy() == 0) | (y == 1), (g.domain.to_numpy() == 1) | (y == 1)
        per[m] = dict(auc_source=roc_auc_score(y[src], s[src]), auc_target=roc_auc_score(y[tgt], s[tgt]),
                      pauc=roc_auc_score(y, s, max_fpr=0.1))
    col = lambda k: np.array([v[k] for v in per.values()])
    return dict(machines=per, official_score=stats.hmean(np.maximum(np.r_[col('auc_source'), col('auc_target'), col('pauc')], EPS)),
                arithmetic_mean=np.mean(np.r_[col('auc_source'), col('auc_target')]),
                hmean_source=stats.hmean(col('auc_source')), hmean_target=stats.hmean(col('auc_target')))


@pytest.fixture(scope='module')
def anon_dir(tmp_path_factory, truth) -> Path:
    return write_scores(tmp_path_factory.mktemp('scores')/'anon', truth)


def test_help_lists_subcommands_with_descriptions():
    r = asd_nb('--help')
    assert r.returncode == 0
    assert 'usage: asd-nb <command>' in r.stdout
    assert 'evaluate  Score a folder of anomaly-score CSVs with the official DCASE 2023 Task 2 metric' in r.stdout


def test_evaluate_help_explains_arguments():
    r = asd_nb('evaluate', '--help')
    assert r.returncode == 0
    for part in ('SCORES_DIR', '--data ROOT', '--ground-truth GT_DIR', '--json', 'anomaly_score_<machine>_section_<SS>_test.csv'):
        assert part in r.stdout, part


def test_no_arguments_and_unknown_command():
    r = asd_nb()
    assert r.returncode == 2 and 'commands:' in r.stderr
    assert_user_error(asd_nb('evalute', 'x'), "unknown command 'evalute'", "did you mean 'evaluate'?")


def test_json_matches_a_direct_computation(anon_dir, truth):
    r = asd_nb('evaluate', anon_dir, '--ground-truth', GT, '--json')
    assert r.returncode == 0, r.stderr
    got, want = json.loads(r.stdout), expected(truth)
    assert sorted(got['machines']) == sorted(want['machines'])
    for m, v in want['machines'].items():
        for k in ('auc_source', 'auc_target', 'pauc'):
            assert got['machines'][m][k] == pytest.approx(v[k], abs=1e-12), (m, k)
            assert got['machines'][m]['sections']['00'][k] == pytest.approx(v[k], abs=1e-12)
            assert 0 <= got['machines'][m][k] <= 1
    for k in ('official_score', 'arithmetic_mean', 'hmean_source', 'hmean_target'):
        assert got[k] == pytest.approx(want[k], abs=1e-12), k
    assert 0.6 < got['official_score'] < 0.8


def test_json_matches_the_python_api(anon_dir):
    from asd_nb.metrics import evaluate_dir
    r = asd_nb('evaluate', anon_dir, '--ground-truth', GT, '--json')
    assert json.loads(r.stdout) == evaluate_dir(anon_dir, ground_truth=GT).to_dict()


def test_labelled_names_give_the_same_numbers(tmp_path, anon_dir, truth):
    named = write_scores(tmp_path/'named', truth, names='original')
    assert next(iter(named.glob('*.csv'))).read_text().startswith('section_00_')
    a, b = (asd_nb('evaluate', d, '--ground-truth', GT, '--json') for d in (anon_dir, named))
    assert a.returncode == b.returncode == 0 and json.loads(a.stdout) == json.loads(b.stdout)


def test_table_output(anon_dir, truth):
    r = asd_nb('evaluate', anon_dir, '--ground-truth', GT)
    assert r.returncode == 0 and r.stderr == ''
    assert r.stdout.startswith('| machine | section | AUC (source) | AUC (target) | pAUC |')
    assert f"| official score | {expected(truth)['official_score']:.4f} |" in r.stdout
    assert sum(line.startswith('| bandsaw | 00 |') for line in r.stdout.splitlines()) == 1


def test_missing_clip_is_named(tmp_path, truth):
    d = write_scores(tmp_path/'short', truth)
    f = d/'anomaly_score_grinder_section_00_test.csv'
    lines = f.read_text().splitlines(keepends=True)
    f.write_text(''.join(lines[:5] + lines[6:]))
    dropped = lines[5].split(',')[0]
    assert_user_error(asd_nb('evaluate', d, '--ground-truth', GT), str(f), f'1 test clip(s) have no score: {dropped}', code=1)


def test_many_missing_clips_give_count_and_first_names(tmp_path, truth):
    d = write_scores(tmp_path/'half', truth)
    f = d/'anomaly_score_shaker_section_00_test.csv'
    f.write_text(''.join(f.read_text().splitlines(keepends=True)[:100]))
    assert_user_error(asd_nb('evaluate', d, '--ground-truth', GT), '100 test clip(s) have no score', 'and 95 more', code=1)


def test_extra_clip_is_named(tmp_path, truth):
    d = write_scores(tmp_path/'extra', truth)
    with open(d/'anomaly_score_Vacuum_section_00_test.csv', 'a') as f: f.write('section_00_1234.wav,0.5\n')
    assert_user_error(asd_nb('evaluate', d, '--ground-truth', GT), 'not test clips of Vacuum section 00: section_00_1234.wav', code=1)


def test_malformed_score_file_names_file_and_line(tmp_path, truth):
    d = write_scores(tmp_path/'bad', truth)
    f = d/'anomaly_score_ToyTank_section_00_test.csv'
    lines = f.read_text().splitlines(keepends=True)
    f.write_text(''.join(lines[:3] + ['section_00_0003.wav,oops\n'] + lines[4:]))
    assert_user_error(asd_nb('evaluate', d, '--ground-truth', GT), f"{f}: line 4: score 'oops' is not a number", code=1)


@pytest.mark.parametrize('args,message,code', [
    (['--ground-truth', GT, '--data', GT], 'not both', 2),
    ([], 'exactly one of --data ROOT', 2),
    (['--ground-truth', '/nonexistent/gt'], '/nonexistent/gt: no such folder', 1),
])
def test_bad_reference_arguments(anon_dir, args, message, code):
    assert_user_error(asd_nb('evaluate', anon_dir, *args), message, code=code)


def test_missing_scores_folder(tmp_path):
    assert_user_error(asd_nb('evaluate', tmp_path/'nope', '--ground-truth', GT), f"{tmp_path/'nope'}: no such folder", code=1)


def test_missing_positional_argument_is_a_usage_error():
    r = asd_nb('evaluate', '--ground-truth', GT)
    assert r.returncode == 2 and 'required: SCORES_DIR' in r.stderr and 'Traceback' not in r.stderr


def test_decision_files_add_precision_recall_f1(tmp_path, truth):
    d = write_scores(tmp_path/'dec', truth, decisions=0.5)
    r = asd_nb('evaluate', d, '--ground-truth', GT, '--json')
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)['machines']['grinder']
    g = truth[truth.machine == 'grinder']
    for dom, name in ((0, 'source'), (1, 'target')):
        y, p = g.label[g.domain == dom].to_numpy(), (g.score[g.domain == dom] > 0.5).to_numpy().astype(int)
        tp, fp, fn = ((y == 1) & (p == 1)).sum(), ((y == 0) & (p == 1)).sum(), ((y == 1) & (p == 0)).sum()
        prec, rec = tp / (tp + fp), tp / (tp + fn)
        assert got[f'precision_{name}'] == pytest.approx(prec, abs=1e-12)
        assert got[f'recall_{name}'] == pytest.approx(rec, abs=1e-12)
        assert got[f'f1_{name}'] == pytest.approx(2 * prec * rec / (prec + rec), abs=1e-12)


def test_subset_of_machines_is_scored_with_a_note(tmp_path, truth):
    d = write_scores(tmp_path/'two', truth[truth.machine.isin(['bandsaw', 'grinder'])])
    r = asd_nb('evaluate', d, '--ground-truth', GT, '--json')
    assert r.returncode == 0
    assert sorted(json.loads(r.stdout)['machines']) == ['bandsaw', 'grinder']
    assert r.stderr.startswith('asd-nb: note: no score file for ToyDrone section 00')


def test_data_root_with_dev_names(tmp_path):
    "A dev-style dataset folder (names only; the metric reads no audio) as the reference."
    rows = []
    for machine in ('fan', 'valve'):
        (tmp_path/'dev'/machine/'test').mkdir(parents=True)
        for dom in ('source', 'target'):
            for lab in ('normal', 'anomaly'):
                for i in range(20):
                    name = f'section_00_{dom}_test_{lab}_{i:04d}_m-n_W.wav'
                    (tmp_path/'dev'/machine/'test'/name).touch()
                    rows.append(dict(machine=machine, file_name=name, label=int(lab == 'anomaly'), domain=int(dom == 'target')))
    t = pd.DataFrame(rows)
    t['score'] = np.random.default_rng(1).normal(0, 1, len(t)) + t.label
    d = write_scores(tmp_path/'scores', t)
    r = asd_nb('evaluate', d, '--data', tmp_path/'dev', '--json')
    assert r.returncode == 0, r.stderr
    got, want = json.loads(r.stdout), expected(t)
    assert got['official_score'] == pytest.approx(want['official_score'], abs=1e-12)
    assert got['machines']['valve']['auc_target'] == pytest.approx(want['machines']['valve']['auc_target'], abs=1e-12)
    (tmp_path/'dev'/'fan'/'test'/'section_00_source_test_normal_0099_m-n_W.wav').touch()
    assert_user_error(asd_nb('evaluate', d, '--data', tmp_path/'dev'), 'section_00_source_test_normal_0099_m-n_W.wav', code=1)


# ---- asd-nb train: a tiny random encoder on a small synthetic dataset ----

TRAIN = ['--machine', 'valve', '--bs', '4', '--crop-seconds', '1', '--emb-dim', '16', '--no-progress']


@pytest.fixture(scope='module')
def tiny_run_inputs(tmp_path_factory) -> Path:
    "A folder with data/ (synthetic valve clips) and tiny/ (a randomly initialised wav2vec 2.0 checkpoint folder)."
    return make_tiny_inputs(tmp_path_factory.mktemp('train'), 'wav2vec2', 'valve', encoder='tiny',
                            n_source_train=12, n_target_train=2, n_test=1, duration=1.5)


def test_help_lists_train_without_importing_torch():
    top = asd_nb('--help').stdout
    assert 'train     Fine-tune a pretrained speech encoder' in top
    assert 'predict   Score audio files with a saved detector' in top
    probe = ("import sys; from asd_nb.cli import main; main(['--help']); "
             "print(sorted(m for m in ('torch', 'transformers', 'fastai', 'asd_nb.train') if m in sys.modules))")
    r = subprocess.run([sys.executable, '-c', probe], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.splitlines()[-1] == '[]', r.stdout + r.stderr


def test_train_help_shows_the_recipe():
    r = asd_nb('train', '--help')
    assert r.returncode == 0, r.stderr
    text = ' '.join(r.stdout.split())  # argparse wraps lines at the terminal width
    for part in ('DATA_ROOT', '--machine M', '--backbone NAME_OR_PATH', '--out RUN_DIR', '--steps', '--last-layer-only',
                 '--no-status-aug', '--overwrite', '(default: 10000)', '(default: 0.0005)', '(default: 0.0001)', '(default: 2.0)'):
        assert part in text, part


RUN_FILES = ['.asd_nb-outputs.json', 'backbone', 'config.json', 'detector', 'head.safetensors', 'history.csv']


def test_train_writes_a_run_and_a_detector_that_match_the_python_api(tiny_run_inputs):
    "`asd-nb train` = `finetune`, then `SSLDetector.from_run(...).fit(training clips)` saved in RUN_DIR/detector: the same model bit for bit, the same scores."
    import numpy as np, torch
    from asd_nb.train import finetune, load_run, read_config
    from asd_nb.data import clip_table
    from asd_nb.ssl_detector import SSLDetector
    from asd_nb.systems import load_detector
    d = tiny_run_inputs
    r = asd_nb('train', d/'data', '--backbone', d/'tiny', '--out', d/'cli_run', '--steps', '4', '--steps-per-epoch', '2', *TRAIN)
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    assert lines[0].startswith("asd-nb: valve: fine-tuned 4 steps in "), r.stderr  # a stage line with its time
    assert lines[1] == f"asd-nb: fine-tuned model saved in {d/'cli_run'}", r.stderr
    assert lines[-1] == f"asd-nb: detector saved in {d/'cli_run'/'detector'}", r.stderr
    assert all(l.startswith('asd-nb: note: ') for l in lines[2:-1]), r.stderr  # e.g. the 2 target clips get no bank of their own
    assert sorted(p.name for p in (d/'cli_run').iterdir()) == RUN_FILES
    owned = set(json.loads((d/'cli_run'/'.asd_nb-outputs.json').read_text())['outputs'])
    assert owned - {'checkpoint.safetensors'} == set(RUN_FILES[1:]), owned  # what --overwrite may delete (the checkpoint is gone once finished)
    cfg = json.loads((d/'cli_run'/'config.json').read_text())
    assert (cfg['machine'], cfg['n_epochs'], cfg['total_steps'], cfg['status_aug'], cfg['lr']) == ('valve', 2, 4, True, 5e-4)
    assert len(pd.read_csv(d/'cli_run'/'history.csv')) == 2
    det_cfg = json.loads((d/'cli_run'/'detector'/'config.json').read_text())
    assert det_cfg['detector'] == 'SSLDetector' and det_cfg['fitted']['info']['machine'] == 'valve'
    assert det_cfg['fitted']['n_train'] == len(list((d/'data'/'valve'/'train').glob('*.wav'))) == 14
    assert det_cfg['fitted']['run']['total_steps'] == 4
    # the same settings through the Python API train the same model, bit for bit ...
    learn = finetune(d/'data', 'valve', d/'tiny', d/'api_run', steps=4, steps_per_epoch=2, bs=4, crop_seconds=1., emb_dim=16, progress=False)
    assert {k: v for k, v in read_config(d/'api_run').items()} == cfg
    cli_model, seg = load_run(d/'cli_run'), torch.randn(2, 16000)
    with torch.no_grad(): assert torch.equal(cli_model.embed(seg), learn.model.eval().embed(seg))
    # ... and the same detector: its back end fitted on the training clips gives the saved detector's scores and threshold
    clips = clip_table(d/'data', machines='valve')
    api = SSLDetector.from_run(d/'api_run').fit(clips[clips.split == 'train'].reset_index(drop=True))
    cli, test = load_detector(d/'cli_run'/'detector'), sorted((d/'data'/'valve'/'test').glob('*.wav'))
    assert cli.threshold_ == pytest.approx(api.threshold_, rel=1e-6)
    np.testing.assert_allclose(cli.decision_function(test), api.decision_function(test), rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(cli.decision_scores_, api.decision_scores_, rtol=1e-5, atol=1e-7)


@pytest.mark.slow
def test_train_refuses_a_finished_run_unless_overwrite(tiny_run_inputs):
    d = tiny_run_inputs
    args = ['train', d/'data', '--backbone', d/'tiny', '--out', d/'run_ow', '--steps', '2', '--steps-per-epoch', '2', *TRAIN]
    assert asd_nb(*args).returncode == 0
    assert_user_error(asd_nb(*args), str(d/'run_ow'), 'holds a finished run', '--overwrite')
    r = asd_nb(*args[:-len(TRAIN)], '--steps', '4', *TRAIN, '--overwrite')
    assert r.returncode == 0, r.stderr
    assert json.loads((d/'run_ow'/'config.json').read_text())['total_steps'] == 4
    assert json.loads((d/'run_ow'/'detector'/'config.json').read_text())['fitted']['run']['total_steps'] == 4  # the detector of the new run


@pytest.mark.slow
def test_train_bad_inputs_are_named(tiny_run_inputs):
    d = tiny_run_inputs
    r = asd_nb('train', d/'data')
    assert r.returncode == 2 and 'the following arguments are required: --machine, --backbone, --out' in r.stderr and 'Traceback' not in r.stderr
    assert_user_error(asd_nb('train', d/'data', '--backbone', d/'nowhere', '--out', d/'run_bad', *TRAIN), f"{d/'nowhere'}: no such checkpoint folder", code=1)
    assert not (d/'run_bad').exists()
    assert_user_error(asd_nb('train', d/'data', '--backbone', d/'tiny', '--out', d/'run_bad', *TRAIN[2:], '--machine', 'fan'), "no machine 'fan'", code=1)
    assert_user_error(asd_nb('train', d/'data', '--backbone', d/'tiny', '--out', d/'run_bad', '--machine', 'valve', '--no-progress'),
                      'is shorter than the 2 s training crops', code=1)
    # the back end's choices are checked by the parser, before any training
    r = asd_nb('train', d/'data', '--backbone', d/'tiny', '--out', d/'run_bad', *TRAIN, '--segment-pooling', 'max')
    assert r.returncode == 2 and "argument --segment-pooling: invalid choice: 'max'" in r.stderr, r.stderr
    assert not (d/'run_bad').exists()


def test_train_resumes_after_being_killed(tiny_run_inputs):
    "SIGKILL the run once its first checkpoint exists; the same command then resumes it and finishes all epochs."
    import signal, time
    d = tiny_run_inputs
    exe = Path(sys.executable).parent/'asd-nb'
    cmd = [str(exe), 'train', str(d/'data'), '--backbone', str(d/'tiny'), '--out', str(d/'run_kill'), '--steps', '60', '--steps-per-epoch', '6', *TRAIN]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while not (d/'run_kill'/'checkpoint.safetensors').exists() and p.poll() is None and time.time() < deadline: time.sleep(0.005)
        p.send_signal(signal.SIGKILL)
    finally: p.wait(timeout=60)
    assert not (d/'run_kill'/'head.safetensors').exists(), 'the run finished before it could be killed'
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    first = r.stderr.splitlines()[0]
    assert first.startswith(f"asd-nb: resuming {d/'run_kill'} after epoch ") and first.endswith(' of 10'), r.stderr
    assert 1 <= int(first.split('after epoch ')[1].split()[0]) < 10
    hist = pd.read_csv(d/'run_kill'/'history.csv')
    assert hist.epoch.tolist() == list(range(1, 11))
    assert sorted(p.name for p in (d/'run_kill').iterdir()) == RUN_FILES
    assert r.stderr.splitlines()[-1] == f"asd-nb: detector saved in {d/'run_kill'/'detector'}"


# ---- issue 14: help that reads like a tool and needs no torch; stdout for results alone; exit codes ----

HELP_PROBE = ("import json, sys; from asd_nb.cli import COMMANDS, parser; "
              "helps = {n: parser(n).format_help() for n in COMMANDS}; "
              "print(json.dumps([helps, sorted(m for m in ('torch', 'transformers', 'fastai', 'pandas') if m in sys.modules)]))")


@pytest.fixture(scope='module')
def helps() -> dict:
    "Every subcommand's --help, built in one fresh process; and the heavy modules that building them imported."
    r = subprocess.run([sys.executable, '-c', HELP_PROBE], capture_output=True, text=True, timeout=60, env={**os.environ, 'COLUMNS': '200'})
    assert r.returncode == 0, r.stderr
    helps, imported = json.loads(r.stdout)
    return dict(helps=helps, imported=imported)


def test_help_of_every_command_imports_neither_torch_nor_fastai(helps):
    assert helps['imported'] == []
    assert {'evaluate', 'train', 'score', 'run', 'demo', 'compare', 'predict', 'synth'} <= set(helps['helps'])


def test_help_reads_like_a_tool(helps):
    h = helps['helps']
    lines = {n: {l.split()[0]: ' '.join(l.split()) for l in text.splitlines() if l.strip().startswith('-')} for n, text in h.items()}
    for n in ('run', 'train', 'score', 'predict', 'demo'):
        assert lines[n]['--no-progress'].startswith('--no-progress Hide progress bars'), lines[n]['--no-progress']
        assert lines[n]['--device'].startswith('--device DEVICE Where to compute: cpu, cuda, cuda:N (the N-th GPU) or mps; default: the GPU if there is one')
    assert lines['run']['--no-status-aug'].startswith('--no-status-aug Switch off status augmentation')
    assert lines['train']['--no-mixed-precision'].startswith('--no-mixed-precision Train in float32 on a GPU too')
    for choice in ('--banks {all,domain}', '--freeze {none,feature_encoder,all}', '--pooling {mean,asp}', '--normalize {none,zscore,mean}',
                   '--backend {auto,numpy,faiss}', '--segment-pooling {transformer,mean}'):
        assert choice in h['run'], choice
    for n, text in h.items():
        for python in ('(str)', '(int)', '(float)', 'str|', '|Module', 'None:', '(default: None)', '(default: False)', '(default: True)', '`', 'key of'):
            assert python not in text, (n, python)
        assert 'exit status: 0 success, 1 data or model error' in ' '.join(text.split()), n
        for opt in ('-q, --quiet', '-v, --verbose', '--log-file FILE'): assert opt in text, (n, opt)
    assert {n for n in h if '--json' in h[n]} == {'evaluate', 'run', 'score', 'predict', 'compare', 'demo', 'grid'}


def test_the_committed_spec_is_the_live_signatures():
    "The parsers come from asd_nb/cli_spec.json; after changing a command's options, `python -c 'import asd_nb.cli as c; c.write_spec()'`."
    from asd_nb.cli import SPEC_FILE, build_spec
    assert json.loads(SPEC_FILE.read_text()) == build_spec(), "asd_nb/cli_spec.json is stale: regenerate it with asd_nb.cli.write_spec()"


def test_stdout_holds_the_result_alone(tmp_path, truth):
    "Not a terminal: stdout is exactly the table (or the JSON); notes on stderr, hidden by nothing but a logger's level."
    d = write_scores(tmp_path/'two', truth[truth.machine.isin(['bandsaw', 'grinder'])])
    from asd_nb.metrics import evaluate_dir
    table = evaluate_dir(d, ground_truth=GT).to_markdown()
    r = asd_nb('evaluate', d, '--ground-truth', GT, '--log-file', tmp_path/'log.txt')
    assert r.returncode == 0 and r.stdout == table + '\n', r.stdout
    assert r.stderr.startswith('asd-nb: note: no score file for ToyDrone section 00') and r.stderr.count('\n') == 1
    assert ' WARNING asd_nb: no score file for ToyDrone section 00' in (tmp_path/'log.txt').read_text()
    q = asd_nb('evaluate', d, '--ground-truth', GT, '--json', '-q')
    assert json.loads(q.stdout) == evaluate_dir(d, ground_truth=GT).to_dict() and q.stderr == r.stderr


def test_fast_reaches_predict_and_score():
    "`--fast` and `--no-fast` are parsed for predict and score (neither: None, the detector as fitted), from the committed spec, without importing torch."
    from asd_nb.cli import _args
    for cmd, pos in (('predict', ['det', 'clip.wav']), ('score', ['dets', 'data', '--out', 'res'])):
        assert _args(cmd, [*pos, '--fast'])['fast'] is True and _args(cmd, [*pos, '--no-fast'])['fast'] is False and _args(cmd, pos)['fast'] is None
