"""Cost of status augmentation per 2 s training crop, next to a base-size backbone's forward pass.

    .venv/bin/python benchmarks/augment_cost.py [--backbone wavlm|wav2vec2] [--reps 50] [--fwd-reps 3]

The backbone is randomly initialised from its default (base-size) config: nothing is downloaded.
The augmentation runs in this process on one core, as it would in one DataLoader worker; the forward
uses torch's default number of threads. All figures come from one run of this script.
"""
import argparse, statistics, subprocess, sys, time
import numpy as np

SR, SEG, BATCH = 16000, 32000, 8
COLD = ("import time, numpy as np; from asd_nb.augment import time_stretch; "
        "x = np.random.default_rng(0).standard_normal(35200).astype(np.float32); "
        "t = time.perf_counter(); time_stretch(x, 1.1); print(time.perf_counter() - t)")

def median_time(fn, reps: int) -> float:
    "Median wall time of `fn()` in seconds over `reps` calls."
    times = []
    for _ in range(reps):
        t0 = time.perf_counter(); fn(); times.append(time.perf_counter() - t0)
    return statistics.median(times)

def augment_costs(reps: int) -> dict:
    "Median seconds per 2 s crop (from a 10 s clip) for each kind, averaged over factors 0.9 and 1.1."
    from asd_nb.augment import perturbed_crop, warm_up
    warm_up()
    clip = np.random.default_rng(0).standard_normal(10 * SR).astype(np.float32)
    starts = iter(np.random.default_rng(1).integers(0, 10 * SR - 40000, 10 ** 6))
    return {kind: statistics.mean(median_time(lambda: perturbed_crop(clip, SEG, f, kind, start=int(next(starts))), reps)
                                  for f in (0.9, 1.1)) for kind in ('speed', 'stretch')}

def forward_cost(backbone: str, reps: int) -> tuple[float, int, int]:
    "Median seconds of one forward of a random base-size model on a (8, 32000) batch; parameters; torch threads."
    import torch, transformers
    cfg, cls = {'wavlm': ('WavLMConfig', 'WavLMModel'), 'wav2vec2': ('Wav2Vec2Config', 'Wav2Vec2Model')}[backbone]
    torch.manual_seed(0)
    model = getattr(transformers, cls)(getattr(transformers, cfg)()).eval()
    x = torch.randn(BATCH, SEG)
    with torch.inference_mode():
        model(x)
        t = median_time(lambda: model(x), reps)
    return t, sum(p.numel() for p in model.parameters()), torch.get_num_threads()

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--backbone', choices=['wavlm', 'wav2vec2'], default='wavlm')
    ap.add_argument('--reps', type=int, default=50, help='crops timed per kind and factor')
    ap.add_argument('--fwd-reps', type=int, default=3, help='timed forward passes')
    args = ap.parse_args()
    cold = float(subprocess.run([sys.executable, '-c', COLD], check=True, capture_output=True, text=True).stdout)
    aug = augment_costs(args.reps)
    fwd, n_params, threads = forward_cost(args.backbone, args.fwd_reps)
    print(f'backbone: random {args.backbone} base ({n_params / 1e6:.1f} M parameters), batch ({BATCH}, {SEG}), '
          f'{threads} torch threads; augmentation on 1 core')
    print(f'{"forward, per batch":44s} {fwd * 1e3:9.1f} ms')
    print(f'{"forward, per crop":44s} {fwd / BATCH * 1e3:9.1f} ms')
    for kind, t in aug.items():
        print(f'{kind + " per 2 s crop (mean of x0.9, x1.1)":44s} {t * 1e3:9.2f} ms   '
              f'augmentation / forward = {t * BATCH / fwd:.4f}')
    print(f'{"first time_stretch in a fresh process":44s} {cold * 1e3:9.0f} ms   (librosa import + numba, once per process)')
