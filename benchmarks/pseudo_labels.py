"""The demo recipe on a synthetic machine type with its attributes removed, with and without pseudo-labels (issue 11).

    nice .venv/bin/python benchmarks/pseudo_labels.py [MACHINE] [OUT_DIR]

The clips are those of `asd-nb demo` (`asd_nb.synth.make_dataset` with `DEMO_DATA`, seed 0) of one machine type
(default fan), described by a CSV manifest that keeps path, split, label and domain but drops every attribute: the
machine looks like a user's unlabelled one (two classes, source and target). The same tiny random-init Whisper
encoder, the demo's fine-tuning recipe (`DEMO_RECIPE`, 600 steps) and seed 0 are used twice: with the default
`pseudo_labels=True` (k-means classes of the pre-trained encoder's embeddings) and with `pseudo_labels=False`.
Prints the official score (harmonic mean of AUC source, AUC target and pAUC) of each run and the clusters chosen.
Takes a few minutes on one CPU thread.
"""
import csv, json, sys, tempfile, time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
from asd_nb.synth import make_dataset
from asd_nb.pipeline import run, DEMO_RECIPE, DEMO_DATA, _demo_encoder

machine = sys.argv[1] if len(sys.argv) > 1 else 'fan'
out = Path(sys.argv[2]) if len(sys.argv) > 2 else Path(tempfile.mkdtemp(prefix='asd-nb-pseudo-'))
torch.set_num_threads(1)
table = make_dataset(out/'data', machines=machine, seed=0, overwrite=True, **DEMO_DATA)
with open(out/'clips.csv', 'w', newline='') as f:
    w = csv.writer(f)
    w.writerow(['path', 'split', 'label', 'domain', 'machine'])
    w.writerows([r.path, r.split, r.label, r.domain, r.machine] for r in table.itertuples())
encoder = _demo_encoder(out/'encoder', 'whisper', 0)
rows = []
for pseudo in (True, False):
    t = time.perf_counter()
    res = run(out/'clips.csv', backbone=str(encoder), out=out/f'results-pseudo-{str(pseudo).lower()}', machines=machine, seed=0,
              steps=600, progress=False, pseudo_labels=pseudo, **DEMO_RECIPE)
    cfg = json.loads((out/f'results-pseudo-{str(pseudo).lower()}'/'runs'/machine/'config.json').read_text())
    p = cfg.get('pseudo') or {}
    rows.append((pseudo, res.official_score, len(cfg['vocab']), p.get('n_clusters'), p.get('silhouette'), time.perf_counter() - t))
print(f"machine {machine}, attributes removed, demo recipe (600 steps, seed 0), tiny random-init Whisper encoder; data in {out}")
print("| pseudo_labels | official score | classes | k chosen | silhouette by k | seconds |")
print("| --- | ---: | ---: | ---: | --- | ---: |")
for pseudo, score, n_cls, k, sil, sec in rows: print(f"| {pseudo} | {score:.4f} | {n_cls} | {k or '-'} | {sil or '-'} | {sec:.0f} |")
