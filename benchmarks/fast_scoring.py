"""The fast path for scoring (`SSLDetector(fast=True)`, `--fast`): speed-up against float32 and the change in AUC/pAUC.

    nice .venv/bin/python benchmarks/fast_scoring.py --encoder DIR [--run RUN_DIR ...] [--modes float32,fast[,bf16]] [--quick]

Data: the fixed split of real DCASE 2021 clips of `benchmarks/real_recipes.py` (training normals 0000-0099; test: the
other 95 normals and all 105 anomalies; `split` and `metrics` are imported from there). The detector is the paper's
recipe at real_recipes' CPU scale: `--run` names finished fine-tuning runs (e.g. `real_recipes.py --work W` leaves them
in W/paper_seed<N>); without one, the encoder DIR is fine-tuned here at that scale first (--steps N updates instead of
200; --quick: 4).
The back end (transformer pooling, k-NN) is fitted on the training clips in float32, as a saved detector is; then the
test clips are embedded in each mode, the modes taking turns on each batch of 16 clips so that the load of a shared
machine falls on all of them alike:

  float32   the detector as saved (the reference)
  fast      `fast=True`: int8 linear layers of the encoder on a CPU, bfloat16 autocast on a GPU; the memory bank keeps
            its float32 embeddings (what `asd-nb predict --fast` does with a saved detector)
  bf16      bfloat16 autocast on the device (on a CPU: for comparison; it is what `fast` does on a GPU)
With --fit-fast also `fast, fitted fast`: a detector fitted with fast=True (bank and pooling from fast embeddings, as
`asd-nb run --fast` makes one), scored fast.

Printed per mode: encoder time per test clip (wall and process CPU seconds; the clips are read before timing), the
speed-up against float32 measured in the same run, AUC and pAUC (p = 0.1) and their change against float32, and the
mean absolute change of the test clips' scores relative to their spread. --quick: 8 training and 16 test clips, 4
fine-tuning updates (a smoke test; its numbers mean nothing).
"""
import argparse, sys, tempfile, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_recipes import DATA, SCALES, WINDOWS, split, metrics  # the split and the recipe's scale, defined once

MODES = ('float32', 'fast', 'bf16')

def mode_fn(det, mode: str, dev):
    "The `(B, T) -> (B, D)` embedding function of `det` in `mode`."
    det.fast = mode == 'fast'
    if mode != 'bf16': return det._embed_fn(dev)
    def embed(wav):
        with torch.autocast(dev.type, dtype=torch.bfloat16): return det.model_.embed(wav)
    return embed

def embed_modes(det, wavs: list, modes: list, chunk: int = 16) -> tuple[dict, dict, dict]:
    "Segment embeddings of `wavs` in each mode, and each mode's wall and CPU seconds, the modes taking turns per chunk."
    from asd_nb.pooling import embed_segments
    win, hop = det._window()
    dev = det._device()
    det.model_.to(dev).eval()
    fns = {m: mode_fn(det, m, dev) for m in modes}
    for m in modes: embed_segments(wavs[:1], fns[m], win, hop, batch_size=det.batch_size, device=dev)  # warm-up (and the int8 copy)
    segs, wall, cpu = {m: [] for m in modes}, dict.fromkeys(modes, 0.), dict.fromkeys(modes, 0.)
    for i in range(0, len(wavs), chunk):
        for m in modes:
            if dev.type == 'cuda': torch.cuda.synchronize()
            t, c = time.perf_counter(), time.process_time()
            segs[m] += embed_segments(wavs[i:i + chunk], fns[m], win, hop, batch_size=det.batch_size, device=dev)
            if dev.type == 'cuda': torch.cuda.synchronize()
            wall[m] += time.perf_counter() - t; cpu[m] += time.process_time() - c
        print(f"  {min(i + chunk, len(wavs))} of {len(wavs)} clips: " + ', '.join(f'{m} {wall[m]:.0f} s' for m in modes), file=sys.stderr, flush=True)
    det.fast = False
    return segs, wall, cpu

def one_run(run: Path, train, test, windows: dict, modes: list, fit_fast: bool) -> pd.DataFrame:
    from asd_nb.ssl_detector import SSLDetector
    from asd_nb.detector import clip_waveforms
    det = SSLDetector.from_run(run, **windows).fit(train)  # float32, as saved
    wavs = clip_waveforms(test)
    segs, wall, cpu = embed_modes(det, wavs, modes)
    scores = {m: det.knn_.score(det._pool(segs[m])) for m in modes}
    rows = []
    for m in modes:
        auc, pauc = metrics(test, scores[m])
        rows.append(dict(run=run.name, mode=m, wall_s_per_clip=wall[m] / len(wavs), cpu_s_per_clip=cpu[m] / len(wavs), auc=auc, pauc=pauc,
                         score_change=np.abs(scores[m] - scores['float32']).mean() / scores['float32'].std()))
    if fit_fast and 'fast' in modes:  # fitted fast too: bank and pooling from fast embeddings
        fast_det = SSLDetector.from_run(run, fast=True, **windows).fit(train)
        auc, pauc = metrics(test, s := fast_det.knn_.score(fast_det._pool(segs['fast'])))
        rows.append(dict(run=run.name, mode='fast, fitted fast', wall_s_per_clip=np.nan, cpu_s_per_clip=np.nan, auc=auc, pauc=pauc,
                         score_change=np.abs(s - scores['float32']).mean() / scores['float32'].std()))
    df = pd.DataFrame(rows)
    ref = df[df['mode'] == 'float32'].iloc[0]
    return df.assign(speedup=ref.wall_s_per_clip / df.wall_s_per_clip, cpu_speedup=ref.cpu_s_per_clip / df.cpu_s_per_clip,
                     d_auc=df.auc - ref.auc, d_pauc=df.pauc - ref.pauc)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--encoder', default='/work/whisper/base', help='Hugging Face checkpoint folder to fine-tune when no --run is given')
    p.add_argument('--run', type=Path, nargs='*', default=[], help='finished fine-tuning runs of the paper recipe (e.g. W/paper_seed0 of real_recipes.py --work W)')
    p.add_argument('--data', type=Path, default=DATA, help='the dcase2021_real_section00 folder')
    p.add_argument('--modes', default='float32,fast', help=f"comma-separated, of {','.join(MODES)} (float32 always runs: the reference)")
    p.add_argument('--threads', type=int, default=2, help='torch threads (CPU)')
    p.add_argument('--steps', type=int, default=None, help="fine-tuning updates when no --run is given (default: the scale's: 200, --quick 4)")
    p.add_argument('--fit-fast', action='store_true', help='also fit a detector with fast=True (bank and pooling from fast embeddings) and score it')
    p.add_argument('--quick', action='store_true', help='smoke test: 8 training and 16 test clips, 4 fine-tuning updates')
    args = p.parse_args()
    modes = ['float32', *[m for m in args.modes.split(',') if m and m != 'float32']]
    if bad := [m for m in modes if m not in MODES]: raise SystemExit(f"unknown mode(s) {bad}; choose from {MODES}")
    if not args.data.is_dir(): raise SystemExit(f"{args.data}: no such folder (see ../shared/data/README.md)")
    torch.set_num_threads(args.threads)
    warnings.filterwarnings('ignore')
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()
    size = 'quick' if args.quick else 'cpu'
    train, test = split(args.data, args.quick)
    dev = 'cuda' if torch.cuda.is_available() else 'cpu'
    print(f"fast_scoring: {len(train)} training normals, {(test.label == 'normal').sum()} test normals, {(test.label == 'anomaly').sum()} anomalies; "
          f"windows {WINDOWS[size]}; torch {torch.__version__}, {torch.get_num_threads()} threads, device {dev}"
          + (f" ({torch.cuda.get_device_name()})" if dev == 'cuda' else f", CPU capability {torch.backends.cpu.get_cpu_capability()}"), flush=True)
    with tempfile.TemporaryDirectory(prefix='asd-nb-fast-') as tmp:
        runs = args.run
        if not runs:
            runs = [Path(tmp)/'paper_seed0']
            scale = {**SCALES[size], **({} if args.steps is None else dict(steps=args.steps, steps_per_epoch=min(args.steps, SCALES[size]['steps_per_epoch'])))}
            print(f"fine-tuning {args.encoder} at {scale} (no --run given)", flush=True)
            from asd_nb.train import finetune_clips
            finetune_clips(train, args.encoder, runs[0], progress=False, seed=0, **scale)
        df = pd.concat([one_run(r, train, test, WINDOWS[size], modes, args.fit_fast) for r in runs], ignore_index=True)
    pd.set_option('display.width', 200)
    print(df.round({'wall_s_per_clip': 3, 'cpu_s_per_clip': 3, 'speedup': 2, 'cpu_speedup': 2, 'auc': 2, 'pauc': 2, 'd_auc': 2, 'd_pauc': 2, 'score_change': 3}).to_string(index=False))
    if len(runs) > 1:
        g = df.groupby('mode', sort=False)
        print(pd.DataFrame({'runs': g.size(), 'speedup': g.speedup.mean().round(2),
                            'AUC change': [f"{m:+.2f} +- {s:.2f}" for m, s in zip(g.d_auc.mean(), g.d_auc.std(ddof=0))],
                            'pAUC change': [f"{m:+.2f} +- {s:.2f}" for m, s in zip(g.d_pauc.mean(), g.d_pauc.std(ddof=0))]}).to_string())

if __name__ == '__main__': main()
