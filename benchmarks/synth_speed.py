"""How fast `asd_nb.synth` makes clips: milliseconds per clip for each machine (2 s and 10 s clips, normal and
faulty alike), the whole 'small' dataset written to disk, and the 'full' (DCASE-sized) dataset, estimated or timed.

    .venv/bin/python benchmarks/synth_speed.py             # per-clip times + the small dataset (about 10 s)
    .venv/bin/python benchmarks/synth_speed.py --full      # also writes the full dataset once (minutes)
"""
import argparse, os, shutil, tempfile, time
import numpy as np
from asd_nb.synth import MACHINES, SIZES, make_dataset, plan_dataset, render_clip

def clip_ms(machine:str, duration:float, repeat:int) -> float:
    "Median milliseconds to render one clip of `machine`, cycling through normal and every fault."
    spec = MACHINES[machine]
    kinds = [None, *spec.faults]
    times = []
    for i in range(repeat):
        t0 = time.perf_counter()
        render_clip(machine, spec.source[i % len(spec.source)], 'source' if i % 2 else 'target', kinds[i % len(kinds)],
                    duration=duration, seed=i)
        times.append(time.perf_counter() - t0)
    return 1000*float(np.median(times))

def timed_dataset(size:str, n_jobs:int=1) -> tuple:
    "Seconds to write the `size` dataset of all machines into a temporary folder, and its number of clips."
    tmp = tempfile.mkdtemp()
    try:
        t0 = time.perf_counter()
        clips = make_dataset(os.path.join(tmp, 'synth'), size=size, n_jobs=n_jobs)
        return time.perf_counter() - t0, len(clips)
    finally: shutil.rmtree(tmp, ignore_errors=True)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--repeat', type=int, default=12, help='clips timed per machine and length')
    p.add_argument('--full', action='store_true', help="also write the full dataset (minutes)")
    p.add_argument('--jobs', type=int, default=os.cpu_count(), help='processes for the parallel runs (default: all CPUs)')
    args = p.parse_args()
    render_clip('fan', MACHINES['fan'].source[0])  # warm-up: imports scipy.signal
    print(f"asd_nb.synth speed on {os.cpu_count()} CPU(s); per-clip times in one process\n")
    print(f"{'machine':<8} {'ms / 2 s clip':>14} {'ms / 10 s clip':>15}")
    per10 = {}
    for m in MACHINES:
        ms2, per10[m] = clip_ms(m, 2., args.repeat), clip_ms(m, 10., args.repeat)
        print(f"{m:<8} {ms2:>14.1f} {per10[m]:>15.1f}")
    print(f"\nsmall dataset: {SIZES['small']}")
    for jobs in dict.fromkeys([1, args.jobs]):
        secs, n = timed_dataset('small', jobs)
        print(f"  n_jobs={jobs}: {n} clips written in {secs:.2f} s = {1000*secs/n:.1f} ms per clip")
    full = plan_dataset(size='full')
    est = sum(per10[m]*k for m, k in full.machine.value_counts().items())/1000
    print(f"full dataset: {SIZES['full']}\n  {len(full)} clips; rendering them in one process: about {est:.0f} s (estimate)")
    if args.full:
        secs, n = timed_dataset('full', args.jobs)
        print(f"  n_jobs={args.jobs}: {n} clips written in {secs:.1f} s = {1000*secs/n:.1f} ms per clip")

if __name__ == '__main__': main()
