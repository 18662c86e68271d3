"""Seconds per fine-tuning step, split into waiting for the batch (data) and forward + backward + update (compute); peak memory.

    .venv/bin/python benchmarks/train_step.py [--encoders tiny,wavlm] [--steps 4] [--threads 2] [--num-workers 0]

Each encoder runs in its own process, so that its peak memory (ru_maxrss) is its own. Batches of 8 crops of 2 s with
status augmentation are drawn by `crop_dataloaders` from synthetic fan clips of 10 s and trained by the fastai Learner
of `asd_learner`, as `asd-nb train` does; a callback times each step (the first `--warmup` steps are left out). The
encoders are randomly initialised: 'tiny' is `tiny_config('wav2vec2')`, 'wavlm' and 'wav2vec2' are the base-size
defaults `WavLMConfig()` / `Wav2Vec2Config()`. Nothing is downloaded.
"""
import argparse, json, resource, statistics, subprocess, sys, tempfile, time
from pathlib import Path

BATCH, SECONDS = 8, 2.


def one(encoder: str, steps: int, warmup: int, threads: int, num_workers: int) -> dict:
    "Train `warmup + steps` steps of `encoder` in this process; per-step data and compute seconds, parameters, peak memory."
    import torch, transformers
    from fastai.callback.core import Callback
    from asd_nb.synth import make_dataset
    from asd_nb.data import train_clips
    from asd_nb.backbone import SSLBackbone, tiny_config
    from asd_nb.train import ASDModel, asd_learner, crop_dataloaders
    torch.set_num_threads(threads)
    table = make_dataset(Path(tempfile.mkdtemp())/'data', machines='fan', n_source_train=24, n_target_train=2, n_test=1, duration=10.)
    dls = crop_dataloaders(train_clips(table, 'fan'), n_batches=warmup + steps, crop_seconds=SECONDS, bs=BATCH, valid_pct=0,
                           num_workers=num_workers)
    cfg = tiny_config('wav2vec2') if encoder == 'tiny' else {'wavlm': transformers.WavLMConfig, 'wav2vec2': transformers.Wav2Vec2Config}[encoder]()
    torch.manual_seed(0)
    model = ASDModel(SSLBackbone.from_config(cfg), dls.n_classes)
    sync = torch.cuda.synchronize if torch.cuda.is_available() else (lambda: None)

    class StepTimer(Callback):
        order = -100
        def before_fit(self): self.data, self.compute, self.t = [], [], time.perf_counter()
        def before_batch(self):
            now = time.perf_counter()
            self.data.append(now - self.t); self.t = now
        def after_batch(self):
            sync(); now = time.perf_counter()
            self.compute.append(now - self.t); self.t = now

    timer = StepTimer()
    learn = asd_learner(dls, model, cbs=[timer])
    with learn.no_bar(), learn.no_logging(): learn.fit(1)
    res = dict(encoder=encoder, params_m=sum(p.numel() for p in model.parameters()) / 1e6, threads=torch.get_num_threads(),
               num_workers=num_workers, steps=steps, data_s=statistics.median(timer.data[warmup:]),
               compute_s=statistics.median(timer.compute[warmup:]), peak_rss_gb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20)
    if torch.cuda.is_available(): res['peak_cuda_gb'] = torch.cuda.max_memory_allocated() / 2**30
    return res


if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--encoders', default='tiny,wavlm', help="comma-separated: tiny, wavlm, wav2vec2")
    ap.add_argument('--steps', type=int, default=4, help='timed steps per encoder')
    ap.add_argument('--warmup', type=int, default=1, help='untimed steps first')
    ap.add_argument('--threads', type=int, default=2, help='torch threads (CPU cores used)')
    ap.add_argument('--num-workers', type=int, default=0, help='DataLoader worker processes')
    ap.add_argument('--one', help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(json.dumps(one(args.one, args.steps, args.warmup, args.threads, args.num_workers)))
        sys.exit()
    print(f'batch {BATCH} x {SECONDS:g} s crops, status augmentation on, {args.threads} torch threads, '
          f'num_workers={args.num_workers}; medians over {args.steps} steps after {args.warmup} warm-up step(s)')
    print(f'{"encoder":10s} {"params":>9s} {"data s/step":>12s} {"compute s/step":>15s} {"data share":>11s} {"peak RSS":>9s}')
    for enc in args.encoders.split(','):
        cmd = [sys.executable, __file__, '--one', enc, '--steps', str(args.steps), '--warmup', str(args.warmup),
               '--threads', str(args.threads), '--num-workers', str(args.num_workers)]
        r = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        share = r['data_s'] / (r['data_s'] + r['compute_s'])
        cuda = f"  peak CUDA {r['peak_cuda_gb']:.2f} GB" if 'peak_cuda_gb' in r else ''
        print(f"{enc:10s} {r['params_m']:8.2f}M {r['data_s']:12.4f} {r['compute_s']:15.3f} {share:10.2%} {r['peak_rss_gb']:7.2f} GB{cuda}")
