"""The scoring pipeline's cost: throughput against the bare backbone, peak memory per clip, and a run on a real checkpoint.

    .venv/bin/python benchmarks/pipeline.py throughput [--model base|tiny] [--clips 40] [--seconds 10] [--threads 2]
    .venv/bin/python benchmarks/pipeline.py memory [--counts 16,64] [--seconds 10] [--threads 2]
    .venv/bin/python benchmarks/pipeline.py whisper CHECKPOINT_DIR [--steps 20] [--bs 4]

throughput: one machine type of synthetic clips (`asd_nb.synth.make_dataset`, `--clips` clips of `--seconds` s, train
    and test together), a run folder of a randomly initialised encoder ('base': `WavLMConfig()`, 94.6 M parameters;
    'tiny': `tiny_config('whisper')`) fine-tuned for one step, and the detector fitted on it (`SSLDetector.from_run`,
    then `fit` on the training clips: the back end only) saved as a detector folder; the time of that fit is printed.
    In one process, it times (1) the bare forward pass, `model.embed` on every 2 s segment (1 s hop) of the test clips
    in batches of 16, the segments cut beforehand, and (2) `asd_nb.pipeline.score` of the detector folder end to end:
    loading and checking the detector, loading the clips, the same forward passes, the transformer pooling, the k-NN
    scores, the submission files, the results table and the plots. The bare pass runs before and after the pipeline;
    their mean is the reference. (There is no embedding cache any more: every `score` runs the encoder.)
memory: for each count N, a fresh process scores N test clips of `--seconds` s with a detector of the base model (after a
    separate process made the data, the run folder and the detector folder), and reports its peak resident memory
    (`ru_maxrss`) and its memory after loading the detector; the slope between the counts is the memory per clip.
whisper: `asd-nb run` on the shipped real DCASE 2023 clips (`../shared/data/dcase2023_dev_sample`: 2 train and 2 test
    clips per machine type; valve has no test clips) with a real checkpoint, e.g. Whisper base built offline by
    `/work/shared/tools/whisper_base_hf.py OUT_DIR`; prints the notes, the wall time and each clip's score.
Nothing is downloaded; times depend on the load of the machine, so the load average is printed with them.
"""
import argparse, json, os, resource, shutil, subprocess, sys, tempfile, time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_SAMPLE = ROOT.parent/'shared'/'data'/'dcase2023_dev_sample'
CLI = """import sys
from asd_nb import cli
if 'run' not in cli.COMMANDS: cli.command('run', 'asd_nb.pipeline:run', 'Train, score and evaluate')
sys.argv[0] = 'asd-nb'
sys.exit(cli.main())
"""


def rss_gb() -> float:
    "Peak resident memory of this process so far, GB (Linux: ru_maxrss is in KB)."
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def current_rss_gb() -> float:
    with open('/proc/self/statm') as f: return int(f.read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**30


def make_run(root: Path, model: str, clips: int, seconds: float, n_test: int | None = None) -> tuple[Path, Path, float]:
    """A synthetic fan dataset of `clips` clips (`n_test` per domain and label), a run folder of a random-init `model` trained
    for one step, and its detector in root/detector; returns the data folder, the detector folder and the seconds of the fit."""
    import torch, transformers
    from asd_nb.synth import make_dataset
    from asd_nb.backbone import SSLBackbone, tiny_config
    from asd_nb.train import finetune
    from asd_nb.pipeline import machine_tables
    from asd_nb.ssl_detector import SSLDetector
    n_test = n_test or max(1, clips // 8)  # per domain and label: 4 * n_test test clips
    n_train = max(clips - 4 * n_test, 8)
    make_dataset(root/'data', machines='fan', n_source_train=n_train - 3, n_target_train=3, n_test=n_test, duration=seconds)
    cfg = tiny_config('whisper') if model == 'tiny' else transformers.WavLMConfig()
    torch.manual_seed(0)
    SSLBackbone.from_config(cfg).save_pretrained(root/'encoder')
    finetune(root/'data', 'fan', root/'encoder', root/'run', steps=1, bs=2, valid_pct=0, progress=False)
    train, _ = machine_tables(root/'data')['fan']
    t = time.perf_counter()
    SSLDetector.from_run(root/'run').fit(train).save_pretrained(root/'detector')
    return root/'data', root/'detector', time.perf_counter() - t


def bare_forward(model, segs, bs: int = 16) -> float:
    "Seconds of `model.embed` over `segs` (K, win) in batches of `bs`."
    import torch
    with torch.inference_mode():
        t = time.perf_counter()
        for i in range(0, len(segs), bs): model.embed(torch.from_numpy(segs[i:i + bs]))
        return time.perf_counter() - t


def throughput(args):
    import numpy as np, torch
    torch.set_num_threads(args.threads)
    from asd_nb.audio import load_audio
    from asd_nb.data import clip_table
    from asd_nb.pooling import segment_clip
    from asd_nb.systems import load_detector
    from asd_nb.pipeline import score
    root = Path(tempfile.mkdtemp(prefix='asd-nb-bench-'))
    data, det_dir, t_fit = make_run(root, args.model, args.clips, args.seconds)
    table = clip_table(data)
    paths, n_train = list(table.path[table.split == 'test']), int((table.split == 'train').sum())
    det = load_detector(det_dir)
    model = det.model_
    win = round(det.run_config_['crop_seconds'] * 16000)
    segs = np.concatenate([segment_clip(load_audio(p), win, win // 2) for p in paths])
    bare_forward(model, segs[:16])  # warm-up
    t_bare1 = bare_forward(model, segs)
    t = time.perf_counter()
    score(det_dir, data, root/'scored')
    t_pipe = time.perf_counter() - t
    t_bare2 = bare_forward(model, segs)
    t_bare = (t_bare1 + t_bare2) / 2
    n = len(paths)
    print(f"model {args.model}, {n} test clips of {args.seconds:g} s ({len(segs)} segments of {win / 16000:g} s), "
          f"{torch.get_num_threads()} threads, load average {os.getloadavg()[0]:.2f}")
    print(f"bare backbone forward : {t_bare:8.2f} s  {n / t_bare:7.2f} clips/s   (runs: {t_bare1:.2f} s, {t_bare2:.2f} s)")
    print(f"asd-nb score          : {t_pipe:8.2f} s  {n / t_pipe:7.2f} clips/s   ratio {t_pipe / t_bare:.3f} "
          f"(overhead {100 * (t_pipe / t_bare - 1):+.1f} %)")
    print(f"detector fit (back end on {n_train} training clips, before the timings): {t_fit:.2f} s")
    rec = json.loads((root/'scored'/'scoring'/'fan.json').read_text())
    print(f"inside score_machine (s): {rec['seconds']}")
    shutil.rmtree(root)


def memory_one(args):
    "Child process: score the test clips with the prepared detector and print its memory as JSON."
    import torch
    torch.set_num_threads(args.threads)
    from asd_nb.pipeline import score
    from asd_nb.systems import load_detector
    root = Path(args.root)
    load_detector(root/'detector')  # the detector alone, for the memory after loading
    after_load = current_rss_gb()
    t = time.perf_counter()
    score(root/'detector', root/'data', root/'scored')
    print(json.dumps(dict(after_load_gb=after_load, peak_gb=rss_gb(), seconds=time.perf_counter() - t)))


def memory(args):
    counts = [int(c) for c in args.counts.split(',')]
    print(f"base model (WavLMConfig(), random init), clips of {args.seconds:g} s, {args.threads} threads, "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'clips':>6s} {'after detector load':>20s} {'peak while scoring':>19s} {'seconds':>8s}")
    rows = []
    for n in counts:
        root = Path(tempfile.mkdtemp(prefix=f'asd-nb-mem{n}-'))
        subprocess.run([sys.executable, __file__, 'prepare', '--root', str(root), '--clips', str(n), '--seconds', str(args.seconds)],
                       check=True, capture_output=True)
        out = subprocess.run([sys.executable, __file__, 'memory-one', '--root', str(root), '--threads', str(args.threads)],
                             check=True, capture_output=True, text=True).stdout.splitlines()[-1]
        r = json.loads(out)
        shutil.rmtree(root)
        rows.append((n, r))
        print(f"{n:6d} {r['after_load_gb']:17.2f} GB {r['peak_gb']:16.2f} GB {r['seconds']:8.1f}")
    if len(rows) > 1:
        (n1, a), (n2, b) = rows[0], rows[-1]
        slope = (b['peak_gb'] - a['peak_gb']) * 2**30 / (n2 - n1)
        print(f"slope of the peak: {slope / 2**20:.3f} MB per clip; extrapolated to 1000 clips: "
              f"{a['peak_gb'] + slope * (1000 - n1) / 2**30:.2f} GB")


def whisper(args):
    ckpt = Path(args.checkpoint)
    out = Path(tempfile.mkdtemp(prefix='asd-nb-whisper-'))/'results'
    exe = Path(sys.executable).parent/'asd-nb'
    help_ = subprocess.run([str(exe), '--help'], capture_output=True, text=True).stdout
    cmd = ([str(exe)] if '  run ' in help_ else [sys.executable, '-c', CLI]) + [
        'run', str(SHARED_SAMPLE), '--backbone', str(ckpt), '--out', str(out), '--steps', str(args.steps),
        '--steps-per-epoch', str(args.steps), '--bs', str(args.bs), '--valid-pct', '0', '--no-progress']
    print('$ asd-nb ' + ' '.join(cmd[cmd.index('run'):]))
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, 'PYTHONWARNINGS': 'ignore'})
    wall = time.perf_counter() - t
    print('\n'.join(l for l in r.stderr.splitlines() if l.startswith('asd-nb')))
    print(f"exit status {r.returncode}, wall time {wall:.0f} s, load average {os.getloadavg()[0]:.2f}")
    if r.returncode: sys.exit(r.stderr[-3000:])
    print(f"{'machine':9s} {'clip':60s} {'score':>8s} {'decision':>8s} {'threshold':>9s}")
    for rec_path in sorted((out/'scoring').glob('*.json')):
        rec = json.loads(rec_path.read_text())
        for f in rec['files']:
            if not f.startswith('anomaly_score_'): continue
            dec = dict(l.split(',') for l in (out/f.replace('anomaly_score_', 'decision_result_')).read_text().split())
            for line in (out/f).read_text().split():
                name, s = line.split(',')
                print(f"{rec['machine']:9s} {name:60s} {float(s):8.4f} {dec[name]:>8s} {rec['threshold']:9.4f}")
        print(f"{'':9s} seconds: {rec['seconds']}")
    shutil.rmtree(out.parent)  # the fine-tuned copies of the checkpoint are large


if __name__ == '__main__':
    os.environ.setdefault('HF_HUB_DISABLE_PROGRESS_BARS', '1')
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest='part', required=True)
    p = sub.add_parser('throughput', help='clips/s of asd-nb score against the bare backbone forward')
    p.add_argument('--model', default='base', choices=['base', 'tiny'])
    p.add_argument('--clips', type=int, default=40)
    p.add_argument('--seconds', type=float, default=10.)
    p.add_argument('--threads', type=int, default=2)
    p = sub.add_parser('memory', help='peak memory while scoring N test clips with a detector of a base-size model')
    p.add_argument('--counts', default='16,64', help='comma-separated clip counts (1000 x 10 s takes hours on 2 cores)')
    p.add_argument('--seconds', type=float, default=10.)
    p.add_argument('--threads', type=int, default=2)
    p = sub.add_parser('whisper', help='asd-nb run on the shipped DCASE clips with a real checkpoint')
    p.add_argument('checkpoint', help='checkpoint folder, e.g. from /work/shared/tools/whisper_base_hf.py OUT_DIR')
    p.add_argument('--steps', type=int, default=20)
    p.add_argument('--bs', type=int, default=4)
    p = sub.add_parser('prepare', help=argparse.SUPPRESS); p.add_argument('--root'); p.add_argument('--clips', type=int); p.add_argument('--seconds', type=float)
    p = sub.add_parser('memory-one', help=argparse.SUPPRESS); p.add_argument('--root'); p.add_argument('--threads', type=int, default=2)
    args = ap.parse_args()
    if args.part == 'prepare': make_run(Path(args.root), 'base', args.clips + 8, args.seconds, n_test=-(-args.clips // 4))
    else: dict(throughput=throughput, memory=memory, whisper=whisper, **{'memory-one': memory_one})[args.part](args)
