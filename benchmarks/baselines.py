"""The systems of Han et al. (2023, Table 1) side by side on the demo's synthetic dataset: official scores and training cost.

    .venv/bin/python benchmarks/baselines.py [--systems all] [--threads 1] [--epochs N] [--machines fan,valve] [--out DIR]

Runs `asd_nb.pipeline.demo` (what `asd-nb demo --system ...` runs): the demo's synthetic dataset (four machine types,
48 source + 10 target training clips of 2 s per machine, 10 test clips per domain and label), then, for each system,
`run` with it: train one model per machine type, score the test clips, write the official files and evaluate them.
The baselines train with their own recipes (autoencoder 100 epochs, MobileNetV2 20 epochs on 32-frame patches), the
`ssl` system is the demo's tiny encoder, 600 steps. Prints the side-by-side table (the layout of Table 1: the official
score, then the harmonic mean of AUC (source), AUC (target) and pAUC per machine type, in %), and per system the
median wall time of one training epoch (baselines) and the training and scoring time per machine type, read from the
records the pipeline writes (`scoring/<machine>.json`) and from the saved detectors (`detectors/<machine>/config.json`:
settings and, for the baselines, the training history). Everything is seeded; times depend on the load of the
machine, so the load average is printed with them. With --out, an earlier run of the same settings is resumed
(and its times are those of that run).
"""
import argparse, json, os, statistics, tempfile, time
from pathlib import Path

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--systems', default='all', help="comma-separated systems (ssl, ae, ae-mahala, mobilenet, mobilenet-knn) or all")
    ap.add_argument('--threads', type=int, default=1, help="torch CPU threads (the demo's default: 1)")
    ap.add_argument('--epochs', type=int, default=None, help="baselines' epochs; default: their own (100 autoencoder, 20 MobileNetV2)")
    ap.add_argument('--machines', default=None, help='comma-separated synthetic machine types; default all four')
    ap.add_argument('--out', default=None, help='demo folder to keep (default: a temporary one, removed at the end)')
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    import pandas as pd, torch
    from asd_nb.pipeline import demo, demo_results_dir
    from asd_nb.results import Comparison

    tmp = tempfile.TemporaryDirectory() if args.out is None else None
    out = Path(args.out or tmp.name)/'demo'
    print(f'{args.threads} torch thread(s), {os.cpu_count()} CPUs visible, load average {os.getloadavg()[0]:.2f} at start; torch {torch.__version__}')
    t0 = time.perf_counter()
    res = demo(out, machines=args.machines, system=args.systems, epochs=args.epochs, threads=args.threads, seed=args.seed, progress=False)
    wall = time.perf_counter() - t0
    comp = res if isinstance(res, Comparison) else Comparison({args.systems: res})
    print('\nOfficial score and per-machine harmonic mean of AUC (source), AUC (target), pAUC, in %:')
    print(comp.table().round(2).to_string())
    print('\nTraining cost per system (from the records of each results folder):')
    for system in comp:
        folder = demo_results_dir(out, system)
        recs = [json.loads(p.read_text()) for p in sorted((folder/'scoring').glob('*.json'))]
        dets = [json.loads((folder/'detectors'/r['machine']/'config.json').read_text()) for r in recs]
        fit = [r['seconds']['fit'] for r in recs if 'fit' in r['seconds']]
        scoring = statistics.median(r['seconds']['score'] for r in recs)
        if system == 'ssl':
            cfg = json.loads((folder/'pipeline.json').read_text())
            print(f'  ssl: {cfg["steps"]} steps of batch {cfg["bs"]} per machine type; training {statistics.median(fit) if fit else float("nan"):.1f} s '
                  f'per machine type (median: fine-tuning, segment embeddings, pooling and k-NN); scoring {scoring:.2f} s per machine type (median)')
            continue
        per_epoch = [statistics.median(h['seconds'] for h in d['fitted']['history']) for d in dets]
        print(f'  {system}: {dets[0]["settings"]["epochs"]} epochs; median {statistics.median(per_epoch):.3f} s per epoch '
              f'(machine types {min(per_epoch):.3f}-{max(per_epoch):.3f} s); training {statistics.median(fit) if fit else float("nan"):.1f} s '
              f'per machine type (median, features and statistics included); scoring {scoring:.2f} s')
    print(f'\nwall time {wall:.0f} s for {len(comp)} system(s); load average {os.getloadavg()[0]:.2f} at end')
    if tmp is not None: tmp.cleanup()
