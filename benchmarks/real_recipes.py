"""Recipes beyond the paper, measured on real recordings: AUC and pAUC on a fixed split of real DCASE 2021 clips.

    nice .venv/bin/python benchmarks/real_recipes.py --encoder DIR [--seeds 3] [--only NAME[,NAME...]] [--quick | --full]
    nice .venv/bin/python benchmarks/real_recipes.py --encoder DIR --seeds 3 --work DIR   # resumable

DIR is a Hugging Face checkpoint folder: the real Whisper-base (../shared/tools/whisper_base_hf.py builds one; here
/work/whisper/base), or an AST checkpoint for the audio-pretrained family. Data: ../shared/data/dcase2021_real_section00
(300 real source-domain test clips of one machine type, 10 s, 16 kHz; see the README there). The split is fixed:
normals 0000-0099 train; the other 95 normals and all 105 anomalies test. Source domain only, so the figures are AUC
and pAUC (p = 0.1), not the official score. The clips carry no attribute labels: fine-tuning classifies the pseudo-labels
of `asd_nb.pseudo` (k-means clusters of the pre-trained encoder's embeddings: 2 clusters here, chosen by silhouette on the
training clips only) and their status-augmented speeds (0.9, 1.1).

Configurations (each over --seeds seeds; mean +- std, and the CPU time of one seed, `time.process_time`):
  frozen       the pretrained encoder untouched: mean over layers and frames of each whole clip, k-NN (k=2, one
               bank, no normalisation). The floor any fine-tuning must beat. Deterministic: one run, whatever --seeds.
  paper        Han et al.'s recipe (AAM-softmax, status augmentation, then PAPER_BACKEND: transformer pooling, k-NN k=2,
               per-domain banks with mean normalisation, no small-data guard; explicit, whatever the defaults of
               `SSLDetector`), at the CPU scale below.
  lora         (this and the next three keep PAPER_BACKEND) paper + LoRA adapters of rank 64 on the attention projections, encoder otherwise frozen.
  adacos       paper with AdaCos instead of AAM-softmax.
  subcluster   paper with sub-cluster AdaCos, 16 trainable sub-clusters per class.
  mixup        paper with mixup in half the training batches.
  knn-smote, kmeans-knn, knn-rescale
               the back-end variants on the fine-tuned model of `paper` (same seed; only the back end is refitted, on the
               segment embeddings `paper` computed, so their CPU time is the back end's alone). This split has no target
               clips, so knn-smote has nothing to oversample and scores as `paper` does: reported as such.
  default-backend
               the paper's fine-tuned model with asd_nb's default back end, `SSLDetector()` as it stands (with this
               split's 100 clips: segment means instead of transformer pooling, one bank; see 08b_ssl_detector), the
               same way: what a user gets from `asd-nb run` with the paper's fine-tuning.
  lora-default-backend
               the same default back end on the fine-tuned model of `lora` (what `asd-nb run --lora-rank 64` gives).
Scale: CPU (default) 200 updates of 8 one-second crops (lr 5e-4, no validation split), sliding windows of 1 s with a
hop of 1 s (no overlap, to halve the encoder time; the paper's half-crop hop at --full): about 5-10 minutes of CPU per
configuration and seed for Whisper-base on 2 cores. --full: the paper's 10 000 updates of 32 two-second crops (GPU).
--quick: a smoke test (1 seed, 4 updates, 8 training and 16 test clips); its numbers mean nothing.

Seeds run in the outer loop (every configuration's seed 0, then seed 1, ...), and each measured row is appended to
WORK/results.csv at once: a call with the same --work resumes where the last one stopped, and the table covers every
row of the scale in that file. Fine-tuned runs stay in WORK/{config}_seed{S}, and each fine-tuned model's segment
embeddings of the 300 clips in WORK/segments/{config}_seed{S}.npz (the back ends here and `benchmarks/small_backend.py`
reuse them).
The back-end defaults themselves (pooling, k, banks, normalisation) are measured by `benchmarks/small_backend.py`.

No choice here looks at test labels: the settings are fixed above, the same for every configuration.
Nothing is written to the repository; runs go to a temporary folder (or --work DIR, which is reused across calls).
"""
import argparse, os, tempfile, time, warnings
from pathlib import Path
import numpy as np
import pandas as pd
import torch

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent/'shared'/'data'/'dcase2021_real_section00'
MACHINE = 'dcase2021_section00'
SCALES = {  # the fine-tuning options of each scale; the rest stay at finetune_clips' defaults (the paper's)
    'cpu': dict(steps=200, steps_per_epoch=100, bs=8, crop_seconds=1.0, valid_pct=0.),
    'full': dict(steps=10_000, steps_per_epoch=500, bs=32, crop_seconds=2.0, valid_pct=0.),
    'quick': dict(steps=4, steps_per_epoch=4, bs=4, crop_seconds=1.0, valid_pct=0.)}
WINDOWS = {'cpu': dict(hop_seconds=1.0), 'full': {}, 'quick': dict(hop_seconds=1.0)} # scoring windows: on CPU without overlap (half the encoder time)
FINETUNE = {'paper': {}, 'lora': dict(lora_rank=64), 'adacos': dict(loss='adacos'),
            'subcluster': dict(loss='subcluster-adacos', k_subcenters=16), 'mixup': dict(mixup=0.5)}
PAPER_BACKEND = dict(segment_pooling='transformer', k=2, banks='domain', normalize='mean', small_data_guard=False) # Han et al.'s back end as asd_nb reads it, stated here so that the defaults may change
BACKENDS = {**{v: ('paper', dict(PAPER_BACKEND, variant=v)) for v in ('knn-smote', 'kmeans-knn', 'knn-rescale')},
            'default-backend': ('paper', {}), 'lora-default-backend': ('lora', {})}  # (fine-tuned model, back end refitted on it); {}: SSLDetector's own defaults
CONFIGS = ['frozen', *FINETUNE, *BACKENDS]

def split(data: Path, quick: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
    "The fixed split: (training normals 0000-0099, test = other normals + all anomalies), as clip tables."
    files = sorted(data.glob('section_00_source_test_*.wav'))
    if len(files) != 300: raise SystemExit(f"{data}: expected the 300 clips of dcase2021_real_section00, found {len(files)}")
    t = pd.DataFrame({'path': [str(f) for f in files]})
    t['label'] = ['anomaly' if '_anomaly_' in f.name else 'normal' for f in files]
    t['number'] = [int(f.stem.rsplit('_', 1)[1]) for f in files]
    t = t.assign(machine=MACHINE, section='00', domain='source', class_label=f'{MACHINE}/00/source')
    train = t[(t.label == 'normal') & (t.number < 100)]
    test = t[~t.index.isin(train.index)]
    if quick: train, test = train.iloc[:8], pd.concat([test[test.label == 'normal'].iloc[:8], test[test.label == 'anomaly'].iloc[:8]])
    return train.drop(columns='label').reset_index(drop=True), test.reset_index(drop=True)

def metrics(test: pd.DataFrame, scores) -> tuple[float, float]:
    from asd_nb.metrics import partial_auc
    from sklearn.metrics import roc_auc_score
    y = (test.label == 'anomaly').to_numpy(int)
    return 100 * roc_auc_score(y, scores), 100 * partial_auc(y, scores)

def frozen_scores(encoder: str, train, test) -> np.ndarray:
    "The floor: untouched encoder, mean over layers and frames of each whole clip, k-NN on one bank."
    from asd_nb.backbone import SSLBackbone
    from asd_nb.detector import clip_waveforms
    from asd_nb.knn import KNNScorer
    bb = SSLBackbone.from_pretrained(encoder, freeze='all').eval()
    def embed(table):
        with torch.inference_mode(): return np.stack([bb(torch.from_numpy(w)[None])[0].mean((0, 2))[0].numpy() for w in clip_waveforms(table)])
    return KNNScorer(k=2, banks='all', normalize=None).fit(embed(train)).score(embed(test))

class CachedSegments:
    "A detector's segment embeddings, kept per clip in one `.npz` per model: a fine-tuned model embeds the 300 clips once for all its back ends."
    def __init__(self, det, file: Path):
        self.inner, self.file, self.store = det._segments, Path(file), {}
        if self.file.exists():
            z = np.load(self.file)
            self.store = dict(zip(z['paths'], np.split(z['emb'], np.cumsum(z['lengths'])[:-1])))
    def __call__(self, table: pd.DataFrame) -> list:
        paths = [str(p) for p in table.path]
        if missing := [i for i, p in enumerate(paths) if p not in self.store]:
            self.store.update(zip((paths[i] for i in missing), self.inner(table.iloc[missing])))
            self.file.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.file.with_suffix('.tmp.npz')
            np.savez(tmp, paths=np.array(list(self.store)), emb=np.concatenate(list(self.store.values())),
                     lengths=np.array([len(x) for x in self.store.values()]))
            os.replace(tmp, self.file)  # atomic: a stop midway leaves the last whole file
        return [self.store[p] for p in paths]

def segment_cache(work: Path, seed: int, model: str = 'paper') -> Path: return work/'segments'/f'{model}_seed{seed}.npz'

def ssl_scores(encoder: str, train, test, run_dir: Path, seed: int, finetune: dict, cache: Path|None=None, **detector) -> np.ndarray:
    "Fine-tune (or reuse the finished run in `run_dir`), fit the back end, score `test`; with `cache`, the segments are kept there."
    from asd_nb.ssl_detector import SSLDetector
    det = SSLDetector(encoder, finetune=finetune, run_dir=run_dir, seed=seed, **{**PAPER_BACKEND, **detector})
    if cache is not None: det._segments = CachedSegments(det, cache)
    return det.fit(train).decision_function(test)

def paper_segments(run_dir: Path, seed: int, cache: Path, hop_seconds: float|None, device=None) -> CachedSegments:
    "The segment embeddings of the paper's fine-tuned model in `run_dir`, from `cache` where they were kept."
    from asd_nb.ssl_detector import SSLDetector
    return CachedSegments(SSLDetector.from_run(run_dir, seed=seed, hop_seconds=hop_seconds, device=device), cache)

def backend_scores(run_dir: Path, train, test, seed: int, cache: Path, **detector) -> np.ndarray:
    "Only the back end of `detector`, fitted on the kept segment embeddings of the fine-tuned model in `run_dir`."
    from asd_nb.ssl_detector import SSLDetector
    det = SSLDetector.from_run(run_dir, seed=seed, **detector)
    det._segments = CachedSegments(det, cache)
    return det.fit(train).decision_function(test)

def timed(f, *args, **kwargs):
    t = time.process_time(); out = f(*args, **kwargs)
    return out, time.process_time() - t

def load_results(file: Path) -> pd.DataFrame:
    cols = ['scale', 'config', 'seed', 'auc', 'pauc', 'cpu_s']
    if not file.exists(): return pd.DataFrame(columns=cols)
    df = pd.read_csv(file)
    if missing := set(cols) - set(df.columns): raise SystemExit(f"{file}: not a results file of this script (no column {sorted(missing)})")
    return df

def append_result(file: Path, row: dict):
    "Add one measured row to `file`, atomically (a stop midway never leaves half a file)."
    df = pd.concat([load_results(file), pd.DataFrame([row])], ignore_index=True)
    tmp = file.with_suffix('.tmp'); df.to_csv(tmp, index=False); os.replace(tmp, file)

def recipes(args, train, test, scale: dict, windows: dict, work: Path, size: str) -> pd.DataFrame:
    names = args.only.split(',') if args.only else CONFIGS
    if bad := [n for n in names if n not in CONFIGS]: raise SystemExit(f"unknown configuration(s) {bad}; choose from {CONFIGS}")
    file = work/'results.csv'
    for seed in range(args.seeds):
        for name in names:
            if name == 'frozen' and seed: continue
            done = load_results(file)
            if ((done.scale == size) & (done.config == name) & (done.seed == seed)).any(): continue
            run = work/f'{name}_seed{seed}'
            if name == 'frozen': scores, cpu = timed(frozen_scores, args.encoder, train, test)
            elif name in FINETUNE: scores, cpu = timed(ssl_scores, args.encoder, train, test, run, seed, {**scale, **FINETUNE[name]}, segment_cache(work, seed, name), **windows)
            else:
                model, backend = BACKENDS[name]
                fitted, cache = work/f'{model}_seed{seed}', segment_cache(work, seed, model)
                if not (fitted/'head.safetensors').exists(): ssl_scores(args.encoder, train, test, fitted, seed, {**scale, **FINETUNE[model]}, cache, **windows)  # not timed here
                scores, cpu = timed(backend_scores, fitted, train, test, seed, cache, **backend, **windows)
            auc, pauc = metrics(test, scores)
            append_result(file, dict(scale=size, config=name, seed=seed, auc=auc, pauc=pauc, cpu_s=cpu))
            print(f"  {name:15s} seed {seed}: AUC {auc:6.2f}  pAUC {pauc:6.2f}  CPU {cpu:7.1f} s", flush=True)
    df = load_results(file)
    df = df[(df.scale == size) & df.config.isin(names)]
    return df.assign(config=pd.Categorical(df.config, names, ordered=True)).sort_values(['config', 'seed'])

def summary(df: pd.DataFrame, by) -> pd.DataFrame:
    g = df.groupby(by, sort=False, observed=True)
    out = pd.DataFrame({'seeds': g.size(),
                        'AUC': [f"{m:6.2f} +- {s:5.2f}" for m, s in zip(g.auc.mean(), g.auc.std(ddof=0))],
                        'pAUC': [f"{m:6.2f} +- {s:5.2f}" for m, s in zip(g.pauc.mean(), g.pauc.std(ddof=0))]})
    if 'cpu_s' in df: out['CPU s / seed'] = g.cpu_s.mean().round(1)
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--encoder', required=True, help='Hugging Face checkpoint folder (the real Whisper-base: /work/whisper/base here) or hub name')
    p.add_argument('--data', type=Path, default=DATA, help='the dcase2021_real_section00 folder')
    p.add_argument('--seeds', type=int, default=3)
    p.add_argument('--only', default='', help=f"comma-separated configurations, of {','.join(CONFIGS)}")
    p.add_argument('--work', type=Path, default=None, help='folder for the fine-tuning runs, segment embeddings and results.csv (a later call resumes from them); default: a temporary one')
    p.add_argument('--threads', type=int, default=2, help='torch threads (CPU)')
    g = p.add_mutually_exclusive_group()
    g.add_argument('--quick', action='store_true', help='smoke test: 1 seed, 4 updates, 8 training and 16 test clips')
    g.add_argument('--full', action='store_true', help="the paper's scale (10k updates, 2 s crops, batch 32): for a GPU")
    args = p.parse_args()
    if not args.data.is_dir(): raise SystemExit(f"{args.data}: no such folder (see ../shared/data/README.md)")
    if args.quick: args.seeds = 1
    torch.set_num_threads(args.threads)
    warnings.filterwarnings('ignore')
    from transformers.utils import logging as hf_logging
    hf_logging.disable_progress_bar()
    import asd_nb.ssl_detector  # imported before any timing: the first configuration's CPU time is not the import's
    size = 'quick' if args.quick else 'full' if args.full else 'cpu'
    scale, windows = SCALES[size], WINDOWS[size]
    train, test = split(args.data, args.quick)
    print(f"real_recipes: {len(train)} training normals, {(test.label == 'normal').sum()} test normals, {(test.label == 'anomaly').sum()} anomalies; "
          f"encoder {args.encoder}; {args.seeds} seed(s); scale {scale} {windows}; torch threads {torch.get_num_threads()}, device {'cuda' if torch.cuda.is_available() else 'cpu'}")
    with tempfile.TemporaryDirectory(prefix='asd-nb-recipes-') as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(summary(recipes(args, train, test, scale, windows, work, size), 'config').to_string())

if __name__ == '__main__': main()
