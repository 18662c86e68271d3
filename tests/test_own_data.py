"""Issue 11: a user's own recordings in any layout the data notebook documents, from the command line and from Python.

The folders are built here from the synthetic generator, with the DCASE names and attributes thrown away: an own layout
(`<machine>/train/*`, `test/{normal,anomaly}/*`, any names), a MIMII layout (`<machine>/id_XX/{normal,abnormal}/*`) and
a CSV manifest. One fast in-process check runs `asd_nb.pipeline.run` end to end on the own layout (pseudo-labels on);
the subprocess checks (`asd-nb run` on a folder and on a manifest, then `score`, `predict`, `evaluate`) are slow."""
import csv, json, os, shutil, subprocess, sys
from pathlib import Path

import pytest
import soundfile as sf
from conftest import make_tiny_inputs

EXE = Path(sys.executable).parent/'asd-nb'
ENV = {**os.environ, 'PYTHONWARNINGS': 'ignore', 'OMP_NUM_THREADS': '1'}
TINY = dict(steps=4, steps_per_epoch=4, bs=4, crop_seconds=0.5, emb_dim=16, valid_pct=0.)
TINY_ARGS = [a for k, v in TINY.items() for a in (f"--{k.replace('_', '-')}", str(v))]


@pytest.fixture(scope='module')
def tiny(tmp_path_factory):
    "A tiny synthetic fan (1 s clips) and a tiny random-init Whisper encoder; then the fan rewritten as own-layout, MIMII and manifest data."
    from asd_nb.data import clip_table
    root = make_tiny_inputs(tmp_path_factory.mktemp('own'), 'whisper', 'fan', n_source_train=16, n_target_train=2, n_test=3, duration=1.)
    table = clip_table(root/'data')
    own, mimii, rows = root/'own'/'pump', root/'mimii'/'pump', []
    for i, r in enumerate(table.itertuples()):
        sub = 'train' if r.split == 'train' else f'test/{r.label}'
        (own/sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(r.path, own/sub/f'rec {i:03d}.wav')
        msub = 'normal' if r.label == 'normal' else 'abnormal'
        (mimii/'id_04'/msub).mkdir(parents=True, exist_ok=True)
        shutil.copy(r.path, mimii/'id_04'/msub/f'{i:08d}.wav')
        rows.append(dict(path=f'own/pump/{sub}/rec {i:03d}.wav', split=r.split, label=r.label, machine='pump'))
    with open(root/'clips.csv', 'w', newline='') as f:
        w = csv.DictWriter(f, ['path', 'split', 'label', 'machine'])
        w.writeheader(); w.writerows(rows)
    return root


def test_each_layout_reads_as_the_same_clips(tiny):
    from asd_nb.data import clip_table
    own, man, mim = clip_table(tiny/'own'), clip_table(tiny/'clips.csv'), clip_table(tiny/'mimii')
    assert len(own) == len(man) == len(mim) == len(clip_table(tiny/'data'))
    assert own.drop(columns='attributes').to_dict('records') == man.drop(columns='attributes').to_dict('records')
    assert set(own.class_label) == {'pump/00/source'} and set(mim.class_label) == {'pump/04/source'}
    n_anom = int((own.label == 'anomaly').sum())
    assert (mim.split == 'test').sum() == n_anom + min(n_anom, int((own.label == 'normal').sum()) // 2)


def test_real_mimii_clips_in_the_mimii_layout(tmp_path):
    from asd_nb.data import clip_table, sample_dir
    from asd_nb.audio import load_audio, describe_audio
    for sub, name in (('normal', '00000000.wav'), ('normal', '00000001.wav'), ('abnormal', '00000000.wav')):
        (tmp_path/'valve/id_00'/sub).mkdir(parents=True, exist_ok=True)
        shutil.copy(sample_dir('mimii_8ch')/f'valve_{sub}.wav', tmp_path/'valve/id_00'/sub/name)
    t = clip_table(tmp_path)
    assert t[['split', 'label']].values.tolist() == [['train', 'normal'], ['test', 'anomaly'], ['test', 'normal']]
    assert describe_audio(t.path, 'valve')['channels'] == {8: 3}
    assert load_audio(t.path[0]).ndim == 1


def test_run_on_an_own_layout_learns_pseudo_labels(tiny, tmp_path):
    "In-process, end to end: a machine without attributes gets k-means classes (more than one), recorded, and the run is scored."
    from asd_nb.pipeline import run
    res = run(tiny/'own', backbone=str(tiny/'encoder'), out=tmp_path/'res', progress=False, seed=0, **TINY)
    cfg = json.loads((tmp_path/'res'/'runs'/'pump'/'config.json').read_text())
    assert cfg['pseudo_labels'] is True and cfg['pseudo']['n_clusters'] >= 2
    assert len(cfg['vocab']) == cfg['pseudo']['n_clusters'] > 1
    det = json.loads((tmp_path/'res'/'detectors'/'pump'/'config.json').read_text())
    assert any(n.startswith('pseudo-labels:') for n in det['fitted']['notes'])
    assert res is not None and 'pump' in res.to_markdown()


def test_pseudo_labels_can_be_switched_off(tiny, tmp_path):
    from asd_nb.data import clip_table
    from asd_nb.train import finetune_clips
    train = clip_table(tiny/'own').query("split == 'train'").reset_index(drop=True)
    finetune_clips(train, str(tiny/'encoder'), tmp_path/'run', progress=False, pseudo_labels=False, steps=1, steps_per_epoch=1, bs=2,
                   crop_seconds=0.5, emb_dim=16, valid_pct=0., status_aug=False)
    cfg = json.loads((tmp_path/'run'/'config.json').read_text())
    assert cfg['pseudo_labels'] is False and 'pseudo' not in cfg and cfg['vocab'] == ['pump/00/source']


def asd_nb(*args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXE), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=ENV)


@pytest.mark.slow  # subprocesses: about a minute on 2 cores
def test_cli_on_an_own_layout_and_on_a_manifest(tiny, tmp_path):
    for name, source in (('folder', [tiny/'own']), ('manifest', ['--manifest', tiny/'clips.csv'])):
        r = asd_nb('run', *source, '--backbone', tiny/'encoder', '--out', tmp_path/name, '--no-progress', *TINY_ARGS)
        assert r.returncode == 0, r.stderr[-3000:]
        assert 'pseudo-labels' in r.stderr and 'pump' in r.stdout
        assert (tmp_path/name/'anomaly_score_pump_section_00_test.csv').is_file()
    det = tmp_path/'folder'/'detectors'/'pump'
    s = asd_nb('score', det, '--manifest', tiny/'clips.csv', '--out', tmp_path/'scored', '--no-progress')
    assert s.returncode == 0, s.stderr[-3000:]
    e = asd_nb('evaluate', tmp_path/'scored', '--manifest', tiny/'clips.csv', '--json')
    assert e.returncode == 0, e.stderr[-3000:]
    assert 'pump' in e.stdout
    p = asd_nb('predict', det, '--manifest', tiny/'clips.csv', '--no-progress')
    assert p.returncode == 0, p.stderr[-3000:]
    assert len(p.stdout.strip().splitlines()) == 1 + sum(1 for _ in (tiny/'own'/'pump'/'test').rglob('*.wav'))
    both = asd_nb('run', tiny/'own', '--manifest', tiny/'clips.csv', '--backbone', tiny/'encoder', '--out', tmp_path/'x')
    assert both.returncode == 2 and 'not both' in both.stderr
