"""Decoding with `load_audio` against reading from `ClipCache` (RAM tier, disk tier), for whole clips and 2 s crops.

    .venv/bin/python benchmarks/audio_cache.py

Three kinds of clip: the real DCASE 2023 sample clips (16 kHz mono 16-bit WAV, 10 or 12 s), the real MIMII clips
(16 kHz, 8 channels, WAVE_FORMAT_EXTENSIBLE, 2 s; crops of 1 s) and 10 s 44.1 kHz stereo 16-bit WAVs of noise made
here (they need resampling). Figures are the median over 5 rounds of the mean time per clip, in microseconds; the
source files and the cache files are in the operating system's page cache (a warm machine), so these are CPU costs,
not disk reads. Ratios in the last columns are decode time / cached time, from the same run.
"""
import os, statistics, sys, tempfile, time
from pathlib import Path
import numpy as np, soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from asd_nb.audio import ClipCache, load_audio, audio_info

DATA = Path(__file__).resolve().parents[2]/'shared'/'data'

def per_clip_us(fn, paths, rounds=5) -> float:
    "Median over `rounds` of the mean time of `fn(path)` per path, in microseconds."
    fn(paths[0])
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        for p in paths: fn(p)
        times.append((time.perf_counter() - t0)/len(paths))
    return statistics.median(times)*1e6

def make_stereo_44k(folder: Path, n=8, seconds=10.):
    rng = np.random.default_rng(0)
    paths = []
    for i in range(n):
        p = folder/f'stereo44k_{i}.wav'
        sf.write(p, (0.1*rng.standard_normal((round(seconds*44100), 2))).astype(np.float32), 44100, subtype='PCM_16')
        paths.append(p)
    return paths

def bench(name, paths, crop_s, tmp: Path):
    rng = np.random.default_rng(0)
    lens = {p: audio_info(p).duration for p in paths}
    first_dir = tmp/f'first_{name}'
    t0 = time.perf_counter(); ClipCache(first_dir, max_bytes=0).warm(paths); first = (time.perf_counter() - t0)/len(paths)*1e6
    ram = ClipCache().warm(paths)
    disk = ClipCache(first_dir, max_bytes=0)
    rows = {
        'whole clip': (per_clip_us(load_audio, paths), per_clip_us(ram.load, paths), per_clip_us(disk.load, paths)),
        f'{crop_s:g} s crop': (
            per_clip_us(lambda p: load_audio(p, offset=rng.uniform(0, lens[p] - crop_s), duration=crop_s), paths),
            per_clip_us(lambda p: ram.crop(p, crop_s, rng), paths),
            per_clip_us(lambda p: disk.crop(p, crop_s, rng), paths)),
    }
    assert disk.stats['decoded'] == 0 and ram.stats['decoded'] == len(paths)
    info = audio_info(paths[0])
    print(f'\n{name}: {len(paths)} clips, {info.sr} Hz, {info.channels} ch, {min(lens.values()):g}-{max(lens.values()):g} s; '
          f'first use (decode + write .npy): {first:,.0f} us/clip')
    print(f'  {"":12s} {"load_audio":>11s} {"RAM tier":>9s} {"disk tier":>9s} {"x RAM":>7s} {"x disk":>7s}')
    for k, (dec, r, d) in rows.items():
        print(f'  {k:12s} {dec:11,.0f} {r:9,.0f} {d:9,.0f} {dec/r:7.1f} {dec/d:7.1f}')
    return rows

if __name__ == '__main__':
    tmp = Path(tempfile.mkdtemp())
    dcase = sorted((DATA/'dcase2023_dev_sample').glob('*/*/*.wav'))
    mimii = sorted((DATA/'mimii_8ch').glob('*.wav'))
    print(f'times in microseconds per clip (median of 5 rounds); {os.cpu_count()} CPU cores; numpy {np.__version__}')
    bench('DCASE 2023 sample clips', dcase, 2., tmp)
    bench('MIMII 8-channel clips', mimii, 1., tmp)
    bench('44.1 kHz stereo (made here)', make_stereo_44k(tmp), 2., tmp)
    one = load_audio(dcase[-1])
    print(f'\nstorage of one 10 s clip at 16 kHz: float32 {one.nbytes:,} bytes, int16 {one.astype(np.int16).nbytes:,} bytes; '
          f'a DCASE machine type (1,000 training clips) ~ {1000*one.nbytes/1e6:.0f} MB vs {1000*one.nbytes/2e6:.0f} MB')
