"""The two baselines of Han et al. (2023, Table 1) on the small synthetic dataset: official scores and time per epoch.

    .venv/bin/python benchmarks/baselines.py [--threads 2] [--ae-epochs 100] [--mn-epochs 20] [--mn-frames 32]

Generates `asd_nb.synth.make_dataset(size='small')` (all machine types: 48 source + 4 target training clips of
2 s per machine, 10 test clips per domain and label) in a temporary folder, trains one autoencoder
(`asd_nb.baselines.ae.fit_ae`) and one MobileNetV2 (`asd_nb.baselines.mobilenet.fit_mobilenet`) per machine type,
scores the test clips, and reports the official DCASE 2023 score (`asd_nb.metrics.evaluate_scores`: harmonic mean
of AUC (source), AUC (target) and pAUC over all machines) for each system, the same harmonic mean per machine (the
layout of Table 1), and the median wall time of one training epoch. Training is seeded; times depend on the load
of the machine, so the load average is printed with them.
"""
import argparse, os, statistics, tempfile, time
from pathlib import Path

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=2, help='torch intra-op threads (the CI machine has 2 cores)')
    ap.add_argument('--ae-epochs', type=int, default=100, help="autoencoder epochs (the DCASE baseline's default: 100)")
    ap.add_argument('--mn-epochs', type=int, default=20, help='MobileNetV2 epochs (default 20, as the DCASE MobileNetV2 baselines)')
    ap.add_argument('--mn-frames', type=int, default=32, help='frames per MobileNetV2 patch (DCASE: 64; a 2 s clip has 63 frames)')
    ap.add_argument('--machines', default=None, help="comma-separated synthetic machine types; default all")
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args()
    for var in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS', 'OPENBLAS_NUM_THREADS'): os.environ[var] = str(args.threads)
    import numpy as np, pandas as pd, torch
    torch.set_num_threads(args.threads)
    from asd_nb.synth import make_dataset
    from asd_nb.metrics import evaluate_scores, official_scores
    from asd_nb.baselines.ae import fit_ae
    from asd_nb.baselines.mobilenet import fit_mobilenet

    print(f'{args.threads} torch threads, {os.cpu_count()} CPUs visible, load average {os.getloadavg()[0]:.2f} at start; '
          f'torch {torch.__version__}; AE {args.ae_epochs} epochs, MobileNetV2 {args.mn_epochs} epochs on {args.mn_frames}-frame patches')
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        clips = make_dataset(Path(tmp)/'synth', machines=args.machines, seed=args.seed)
        print(f'synthetic dataset: {len(clips)} clips in {time.perf_counter() - t0:.1f} s')
        systems = {'ae (MSE)': ('ae', 'mse'), 'ae-mahala (MAHALA)': ('ae', 'mahala'), 'mobilenet (own-class NLL)': ('mn', 'nll'),
                   'mobilenet (log-odds)': ('mn', 'logit'), 'mobilenet (k-NN on embeddings)': ('mn', 'knn')}
        scored, epoch_s, fit_s = {s: [] for s in systems}, {'ae': [], 'mn': []}, {'ae': 0., 'mn': 0.}
        for machine, g in clips.groupby('machine', sort=True):
            train, test = g[g.split == 'train'], g[g.split == 'test']
            tables, dets = {}, {}
            for key, fit in (('ae', lambda: fit_ae(train, epochs=args.ae_epochs, seed=args.seed)),
                             ('mn', lambda: fit_mobilenet(train, epochs=args.mn_epochs, n_frames=args.mn_frames, seed=args.seed))):
                t0 = time.perf_counter(); dets[key] = fit(); fit_s[key] += time.perf_counter() - t0
                epoch_s[key] += list(dets[key].history_.seconds)
                tables[key] = dets[key].score_table(test)
            for name, (key, kind) in systems.items():
                scored[name].append(test.assign(score=tables[key][kind].to_numpy()))
            print(f'{machine}: {len(train)} training clips; final training loss: AE {dets["ae"].history_.train_loss.iloc[-1]:.2f} (MSE, dB^2), '
                  f'MobileNetV2 {dets["mn"].history_.train_loss.iloc[-1]:.3f} (cross-entropy, {len(dets["mn"].vocab)} classes)', flush=True)
    rows = {}
    for name, parts in scored.items():
        res = evaluate_scores(pd.concat(parts, ignore_index=True))
        per_machine = {m: official_scores(res.sections.loc[[m]])['official_score'] for m in res.sections.index.get_level_values('machine').unique()}
        rows[name] = {'official score': res.official_score, **per_machine}
    table = pd.DataFrame(rows).T
    print('\nOfficial score (hmean of AUC source, AUC target, pAUC), all machines and per machine:')
    print((100 * table).round(2).to_string())
    for key, label in (('ae', 'autoencoder'), ('mn', 'MobileNetV2')):
        print(f'{label}: median {statistics.median(epoch_s[key]):.3f} s per epoch (over {len(epoch_s[key])} epochs), '
              f'{fit_s[key]:.1f} s of fitting in all (features, training, statistics)')
    print(f'load average {os.getloadavg()[0]:.2f} at end')
