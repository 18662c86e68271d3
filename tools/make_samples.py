"""Rebuild asd_nb/samples/ (the real recordings shipped with the package) from the workspace's ../shared/data.

The WAV files are cut byte for byte: every chunk before `data` is kept as it is (so MIMII's WAVE_FORMAT_EXTENSIBLE
`fmt ` and its `fact` chunk survive), the `data` chunk keeps its first frames, and the RIFF, `fact` and `data` sizes
are rewritten to match. Run from the repository root: python tools/make_samples.py [SHARED_DATA]."""
import shutil, struct, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT/'asd_nb'/'samples'
LONG = 'fan/train/section_00_source_train_normal_0040_m-n_X.wav'  # the clip the segment and feature lessons cut up

def cut_wav(src:Path, dst:Path, fraction:float=None, seconds:float=None):
    "Copy `src` to `dst` keeping its first `fraction` of the frames (or its first `seconds`), header chunks unchanged."
    b = src.read_bytes()
    assert b[:4] == b'RIFF' and b[8:12] == b'WAVE', src
    chunks, i = [], 12
    while i + 8 <= len(b):
        cid, n = b[i:i+4], struct.unpack('<I', b[i+4:i+8])[0]
        chunks.append((cid, b[i+8:i+8+n])); i += 8 + n + (n & 1)
    fmt = dict(chunks)[b'fmt ']
    sr, block = struct.unpack('<I', fmt[4:8])[0], struct.unpack('<H', fmt[12:14])[0]
    total = len(dict(chunks)[b'data']) // block
    frames = round(total * fraction) if fraction is not None else round(seconds * sr)
    body = b''
    for cid, data in chunks:
        if cid == b'fact': data = struct.pack('<I', frames) + data[4:]
        if cid == b'data': data = data[:frames * block]
        body += cid + struct.pack('<I', len(data)) + data + (b'\0' if len(data) & 1 else b'')
        if cid == b'data': break  # trailing chunks (LIST tags) are dropped
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_bytes(b'RIFF' + struct.pack('<I', 4 + len(body)) + b'WAVE' + body)

def main(shared:Path):
    for sub in ('dcase2023_dev_sample', 'mimii_8ch', 'dcase2023_eval_ground_truth'):
        if (OUT/sub).exists(): shutil.rmtree(OUT/sub)
    dev = shared/'dcase2023_dev_sample'
    for p in sorted(dev.glob('*/*/*.wav')):
        rel = p.relative_to(dev).as_posix()
        cut_wav(p, OUT/'dcase2023_dev_sample'/rel, **(dict(fraction=1.) if rel == LONG else dict(fraction=0.05)))
    for p in sorted((shared/'mimii_8ch').glob('*.wav')): cut_wav(p, OUT/'mimii_8ch'/p.name, seconds=0.25)
    shutil.copytree(shared/'dcase2023_eval_ground_truth', OUT/'dcase2023_eval_ground_truth')
    for p in (OUT/'dcase2023_eval_ground_truth').rglob('*'): p.chmod(0o755 if p.is_dir() else 0o644)

if __name__ == '__main__': main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent/'shared'/'data')
