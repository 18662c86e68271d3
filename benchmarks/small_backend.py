"""Back-end defaults on small training sets, measured on real recordings (issue 15, section 2b).

    nice .venv/bin/python benchmarks/small_backend.py --runs /work/recipes [--seeds 0,1,2] [--draws 5]

Reads the fine-tuned models of `benchmarks/real_recipes.py` (RUNS/paper_seed{S}: the paper's recipe at the CPU scale,
Whisper-base, 200 updates, 1 s crops, pseudo-labels of 2 k-means clusters) and the same fixed split of
../shared/data/dcase2021_real_section00 (train: normals 0000-0099; test: the other 95 normals and all 105 anomalies;
AUC and pAUC, p = 0.1). The segment embeddings of the 300 clips (1 s windows, 1 s hop) are computed once per model and
kept in RUNS/segments/paper_seed{S}.npz (beside the runs, shared with real_recipes.py); every experiment below then costs seconds:

  pooling   transformer pooling (trained on the run's classes of the subset) against segment means, with n = 10, 20, 40
            and 100 training clips drawn from the 100 training normals (`--draws` draws each; n = 100 is one set), k-NN
            with k = 2 on one bank without normalisation, so that only the pooling differs.
  k         k = 1, 2, 4, 8 with segment means on one bank, for the same n.
  banks     n = 40 training clips (segment means, k = 2), of which m = 3, 5, 10, 20 are labelled 'target' at random
            (all are from one condition: a second bank with no real shift): one bank without normalisation against
            per-domain banks with None, 'mean' and 'zscore' normalisation. It measures what a small bank's own
            statistics cost when they are noise; it cannot show what they gain under a real shift (this split has none).

Each row: mean +- std over seeds x draws. Nothing looks at test labels to choose anything; nothing is written to the
repository.
"""
import argparse, itertools, sys, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from real_recipes import DATA, WINDOWS, split, metrics, summary, paper_segments, segment_cache

def segments(run: Path, seed: int, train, test):
    "Segment embeddings (S_i, D) of the training and test clips under the model of `run`, kept where real_recipes.py keeps them."
    cached = paper_segments(run, seed, segment_cache(run.parent, seed), hop_seconds=WINDOWS['cpu']['hop_seconds'], device='cpu')
    return cached(train), cached(test)

def run_classes(run: Path, train) -> list:
    "Each training clip's class in the run (its pseudo-label cluster where the run has them)."
    from asd_nb.ssl_detector import clip_classes, _run_classes
    from asd_nb.train import read_config
    return _run_classes(clip_classes(train), train, read_config(run), [])

def knn_auc(e_tr, e_te, test, domains=None, **kw):
    from asd_nb.knn import KNNScorer
    s = KNNScorer(**kw).fit(e_tr, domains).score(e_te)
    return metrics(test, s)

def experiments(seed: int, seg_tr, seg_te, classes, test, draws: int):
    from asd_nb.losses import encode_labels
    from asd_nb.pooling import train_pooling, pool_segments
    rows, mean_te = [], np.stack([s.mean(0) for s in seg_te])
    mean_tr = np.stack([s.mean(0) for s in seg_tr])
    for n in (10, 20, 40, 100):
        for draw in range(1 if n == 100 else draws):
            idx = np.sort(np.random.default_rng(1000 * seed + draw).choice(100, n, replace=False))
            sub, cls = [seg_tr[i] for i in idx], [classes[i] for i in idx]
            y, vocab = encode_labels(cls)
            base = dict(seed=seed, draw=draw, n=n)
            pool = train_pooling(sub, y, n_classes=len(vocab), seed=seed + draw)
            for name, (e_tr, e_te) in {'transformer': (pool_segments(pool, sub), pool_segments(pool, seg_te)), 'mean': (mean_tr[idx], mean_te)}.items():
                auc, pauc = knn_auc(e_tr, e_te, test, k=2, banks='all', normalize=None)
                rows.append(dict(base, exp='pooling', setting=f'{name} ({len(vocab)} classes)' if name == 'transformer' else name, auc=auc, pauc=pauc))
            for k in (1, 2, 4, 8):
                auc, pauc = knn_auc(mean_tr[idx], mean_te, test, k=k, banks='all', normalize=None)
                rows.append(dict(base, exp='k', setting=f'k={k}', auc=auc, pauc=pauc))
    for m in (3, 5, 10, 20):
        for draw in range(draws):
            rng = np.random.default_rng(1000 * seed + 100 + draw)
            idx = np.sort(rng.choice(100, 40, replace=False))
            dom = np.array(['source'] * 40, dtype=object); dom[rng.choice(40, m, replace=False)] = 'target'
            for banks, norm in (('all', None), ('domain', None), ('domain', 'mean'), ('domain', 'zscore')):
                auc, pauc = knn_auc(mean_tr[idx], mean_te, test, dom, k=2, banks=banks, normalize=norm)
                rows.append(dict(seed=seed, draw=draw, n=40, exp='banks', setting=f'm={m:2d} target: {banks} + {norm}', auc=auc, pauc=pauc))
    return rows

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--runs', type=Path, required=True, help='the --work folder of real_recipes.py (holds paper_seed{S})')
    p.add_argument('--data', type=Path, default=DATA)
    p.add_argument('--seeds', default='0,1,2', help='seeds of the runs to use (those missing are skipped)')
    p.add_argument('--draws', type=int, default=5, help='random training subsets per size')
    p.add_argument('--threads', type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    warnings.filterwarnings('ignore')
    train, test = split(args.data, False)
    rows = []
    for seed in map(int, args.seeds.split(',')):
        run = args.runs/f'paper_seed{seed}'
        if not (run/'head.safetensors').exists(): print(f"  {run}: no finished run, skipped", flush=True); continue
        seg_tr, seg_te = segments(run, seed, train, test)
        rows += experiments(seed, seg_tr, seg_te, run_classes(run, train), test, args.draws)
        print(f"  seed {seed}: {len(rows)} rows", flush=True)
    df = pd.DataFrame(rows)
    for exp, by in (('pooling', ['n', 'setting']), ('k', ['n', 'setting']), ('banks', ['setting'])):
        print(f"\n{exp}:\n" + summary(df[df.exp == exp], by).to_string())

if __name__ == '__main__': main()
