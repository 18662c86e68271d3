"""How often the highest-scoring segment of a faulty clip falls on its fault (asd_nb.explore.top_segment_hits).

    nice .venv/bin/python benchmarks/explorer_localisation.py                       # tiny random AST, all four machines
    nice .venv/bin/python benchmarks/explorer_localisation.py --encoder /work/whisper/base --machines fan,bearing --steps 60

Synthetic clips (`asd_nb.synth.make_dataset(fault_seconds=...)`) whose faults last `--fault-seconds` at a random place
of each anomalous clip; an `SSLDetector` (mean segment pooling) fine-tuned for `--steps` steps on the training clips;
each faulty test clip's segments scored against the training segments. A hit: the top segment overlaps the fault.
Chance: the fraction of a clip's segments that overlap its fault, averaged (a segment picked at random). Printed per
machine type and fault: hits / clips, hit rate, chance, and the clip-level AUC for context.
"""
import argparse, sys, tempfile, time
from pathlib import Path
import numpy as np, torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from asd_nb.synth import make_dataset
from asd_nb.data import split_clips
from asd_nb.backbone import SSLBackbone, tiny_config
from asd_nb.train import _no_hf_bars
from asd_nb.ssl_detector import SSLDetector
from asd_nb.explore import Explorer, top_segment_hits
from sklearn.metrics import roc_auc_score

p = argparse.ArgumentParser()
p.add_argument('--encoder', default=None, help='pretrained encoder folder; default: a tiny random-init AST')
p.add_argument('--machines', default='fan,bearing,valve,slider')
p.add_argument('--steps', type=int, default=40)
p.add_argument('--crop', type=float, default=0.5, help='segment (training crop) length, s; hop half of it')
p.add_argument('--duration', type=float, default=4.)
p.add_argument('--fault-seconds', type=float, default=0.5)
p.add_argument('--n-test', type=int, default=10, help='test clips per domain and label')
p.add_argument('--threads', type=int, default=2)
p.add_argument('--severity', type=float, default=1., help='strength of the faults (asd_nb.synth: 1 default, 3 obvious)')
a = p.parse_args()
torch.set_num_threads(a.threads)
tmp = Path(tempfile.mkdtemp())
clips = make_dataset(tmp/'data', machines=a.machines, n_source_train=24, n_target_train=4, n_test=a.n_test, duration=a.duration,
                     fault_seconds=a.fault_seconds, severity=a.severity)
encoder = a.encoder
if encoder is None:
    torch.manual_seed(0)
    with _no_hf_bars(): SSLBackbone.from_config(tiny_config('audio-spectrogram-transformer')).save_pretrained(tmp/'encoder')
    encoder = tmp/'encoder'
recipe = dict(steps=a.steps, steps_per_epoch=min(a.steps, 20), bs=8, crop_seconds=a.crop, emb_dim=64, lr=3e-3, valid_pct=0)
print(f"encoder {a.encoder or 'tiny random AST'}; {a.steps} steps, {a.crop:g} s segments, {a.duration:g} s clips, "
      f"{a.fault_seconds:g} s faults of severity {a.severity:g}, {2*a.n_test} faulty test clips per machine")
rows = []
for m in a.machines.split(','):
    t0 = time.perf_counter()
    train, test = split_clips(clips, m, 'train'), split_clips(clips, m, 'test')
    det = SSLDetector(encoder, finetune=recipe, run_dir=tmp/f'run-{m}', segment_pooling='mean').fit(train)
    ex = Explorer.from_detector(det, test)
    hits = top_segment_hits(ex)
    auc = roc_auc_score(ex.clips.label.eq('anomaly'), ex.clips.score)
    for f, g in hits.groupby('fault'):
        rows.append((m, f, int(g.hit.sum()), len(g), g.chance.mean()))
    print(f"{m:8s} all faults: {int(hits.hit.sum())}/{len(hits)} = {hits.hit.mean():.0%} (chance {hits.chance.mean():.0%}); "
          f"clip AUC {auc:.2f}; {time.perf_counter() - t0:.0f} s", flush=True)
print('\nmachine  fault      hits/clips  rate  chance')
for m, f, h, n, c in rows: print(f"{m:8s} {f:10s} {h:4d}/{n:<5d}  {h/n:4.0%}  {c:4.0%}")
tot_h, tot_n = sum(r[2] for r in rows), sum(r[3] for r in rows)
print(f"\noverall: {tot_h}/{tot_n} = {tot_h/tot_n:.0%} of faulty clips have their top segment on the fault "
      f"(chance {np.average([r[4] for r in rows], weights=[r[3] for r in rows]):.0%})")
