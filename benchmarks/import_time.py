"""Import time of asd_nb's entry points, in fresh interpreters (median of 5), next to a bare interpreter start.

    .venv/bin/python benchmarks/import_time.py
"""
import statistics, subprocess, sys, time

MODULES = ['asd_nb', 'asd_nb.core', 'asd_nb.data', 'asd_nb.audio', 'asd_nb.augment', 'asd_nb.metrics', 'asd_nb.knn', 'asd_nb.synth', 'asd_nb.cli']

def wall(code: str, runs: int = 5) -> float:
    "Median wall time of `python -c code` in seconds."
    times = []
    for _ in range(runs):
        t0 = time.perf_counter(); subprocess.run([sys.executable, '-c', code], check=True, stderr=subprocess.DEVNULL); times.append(time.perf_counter() - t0)
    return statistics.median(times)

if __name__ == '__main__':
    bare = wall('pass')
    print(f'{"bare interpreter":24s} {bare:6.3f} s')
    for mod in MODULES:
        try: t = wall(f'import {mod}')
        except subprocess.CalledProcessError: print(f'{mod:24s}  (not importable)'); continue
        print(f'{mod:24s} {t:6.3f} s   (+{t - bare:.3f} s over a bare interpreter)')
