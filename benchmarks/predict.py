"""What `asd-nb predict` costs: throughput on 10 s clips against the bare encoder, and peak memory on many clips.

    .venv/bin/python benchmarks/predict.py [--whisper DIR] [--n-clips 40] [--memory-clips 2000]

1. Throughput. A detector is fitted briefly on a synthetic fan (10 s clips): once around a tiny random-init Whisper
   encoder (the demo's), once around the real Whisper-base checkpoint (DIR from ../shared/tools/whisper_base_hf.py;
   built in a temporary folder when not given, about 20 s). `predict_files` (what `asd-nb predict` runs: decode,
   cut 2 s windows with a 1 s hop, encode, layer weighting and head, transformer pooling, k-NN) scores N clips; in the
   same run the bare encoder forward alone runs on exactly the same windows in the same batches. The ratio
   predict / encoder is the price of everything around the encoder.
2. Memory. Fresh processes predict 200 and then M clips (hard links to the N clips, so decoding is real) with the
   tiny detector and report their peak resident memory: bounded memory means the two peaks are about equal.
Nothing is written to the repository.
"""
import argparse, os, resource, subprocess, sys, tempfile, time
from pathlib import Path
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
BUILD_WHISPER = ROOT.parent/'shared'/'tools'/'whisper_base_hf.py'
FIT = dict(steps=2, steps_per_epoch=2, bs=4, valid_pct=0., emb_dim=64)  # enough to make a detector; speed does not depend on training

def fitted(encoder, data: Path, out: Path):
    "An SSLDetector around `encoder`, briefly fine-tuned on the fan's training clips, saved in `out`."
    from asd_nb.data import clip_table
    from asd_nb.ssl_detector import SSLDetector
    table = clip_table(data, machines='fan')
    det = SSLDetector(encoder, finetune=FIT, run_dir=out.with_name(out.name + '_run')).fit(table[table.split == 'train'])
    det.save_pretrained(out)
    return det

def encoder_seconds(det, files) -> float:
    "Wall time of the bare encoder forward on the windows `det` cuts from `files`, batched as `det` batches them."
    from asd_nb.audio import load_audio
    from asd_nb.pooling import segment_clip
    win, hop = det._window()
    segs = np.concatenate([segment_clip(load_audio(f), win, hop) for f in files])
    bb = det.model_.backbone.eval()
    with torch.inference_mode():
        bb(torch.from_numpy(segs[:det.batch_size]))  # warm-up
        t = time.perf_counter()
        for i in range(0, len(segs), det.batch_size): bb(torch.from_numpy(segs[i:i + det.batch_size]))
    return time.perf_counter() - t

def predict_seconds(det, files) -> float:
    from asd_nb.pipeline import predict_files
    t = time.perf_counter(); df, errors = predict_files(det, files); t = time.perf_counter() - t
    assert not errors and len(df) == len(files)
    return t

def throughput(name: str, det, files, rounds: int = 3):
    "Both timings `rounds` times, interleaved (so that a busy machine slows both alike); the fastest of each."
    predict_seconds(det, files[:2])  # warm-up
    times = [(predict_seconds(det, files), encoder_seconds(det, files)) for _ in range(rounds)]
    t_pred, t_enc = min(t for t, _ in times), min(t for _, t in times)
    print(f"{name:32s} {len(files)} clips of 10 s: predict {len(files) / t_pred:6.2f} clips/s, bare encoder {len(files) / t_enc:6.2f} clips/s, "
          f"ratio predict/encoder {t_pred / t_enc:5.2f}")

PEAK = ("import resource, sys; from pathlib import Path; from asd_nb.systems import load_detector; from asd_nb.pipeline import predict_files; "
        "files = sorted(Path(sys.argv[2]).iterdir())[:int(sys.argv[3])]; df, err = predict_files(load_detector(sys.argv[1]), files); "
        "print(len(df), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)")

def peak_mb(det_dir: Path, folder: Path, n: int) -> tuple[int, float, float]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, '-c', PEAK, str(det_dir), str(folder), str(n)], capture_output=True, text=True, check=True).stdout.split()
    return int(out[0]), float(out[1]), time.perf_counter() - t

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--whisper', type=Path, help='Whisper-base checkpoint folder (built if missing)')
    ap.add_argument('--n-clips', type=int, default=40, help='10 s clips for the throughput figures')
    ap.add_argument('--memory-clips', type=int, default=2000, help='clips for the peak-memory figure (0: skip it)')
    args = ap.parse_args()
    from asd_nb.synth import make_dataset
    from asd_nb.backbone import SSLBackbone, tiny_config
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        make_dataset(tmp/'data', machines='fan', n_source_train=12, n_target_train=2, n_test=max(1, args.n_clips // 4), duration=10.)
        files = sorted((tmp/'data'/'fan'/'test').glob('*.wav'))[:args.n_clips]
        torch.manual_seed(0)
        SSLBackbone.from_config(tiny_config('whisper')).save_pretrained(tmp/'tiny')
        tiny = fitted(tmp/'tiny', tmp/'data', tmp/'tiny_detector')
        throughput('tiny Whisper (demo encoder)', tiny, files)
        whisper = args.whisper
        if whisper is None or not (whisper/'config.json').exists():
            whisper = whisper or tmp/'whisper_base'
            subprocess.run([sys.executable, str(BUILD_WHISPER), str(whisper)], check=True, capture_output=True)
        throughput('Whisper-base (real weights)', fitted(whisper, tmp/'data', tmp/'base_detector'), files)
        if args.memory_clips:
            many = tmp/'many'; many.mkdir()
            for i in range(args.memory_clips): os.link(files[i % len(files)], many/f'clip_{i:05d}.wav')
            for n in (200, args.memory_clips):
                k, mb, s = peak_mb(tmp/'tiny_detector', many, n)
                print(f"peak memory predicting {k:5d} clips of 10 s (tiny detector, fresh process): {mb:7.0f} MB  ({s:.0f} s)")
