"""Import time of asd_nb's entry points, and the time of `asd-nb <command> --help`, in fresh interpreters (medians).

    .venv/bin/python benchmarks/import_time.py [--runs 5]

`--help` is measured two ways in the same run: as the console script answers it (the parser built from the committed
asd_nb/cli_spec.json: no torch, no fastai), and built from the live signatures of the library functions (what every
`--help` cost before: it imports torch, fastai and transformers); the ratio is the speed-up.
"""
import argparse, statistics, subprocess, sys, time

MODULES = ['asd_nb', 'asd_nb.core', 'asd_nb.data', 'asd_nb.audio', 'asd_nb.augment', 'asd_nb.metrics', 'asd_nb.knn', 'asd_nb.synth', 'asd_nb.cli']
HELP_COMMANDS = ['run', 'train', 'score', 'predict']

def wall(code: str, runs: int = 5) -> float:
    "Median wall time of `python -c code` in seconds."
    times = []
    for _ in range(runs):
        t0 = time.perf_counter(); subprocess.run([sys.executable, '-c', code], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); times.append(time.perf_counter() - t0)
    return statistics.median(times)

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--runs', type=int, default=5)
    runs = ap.parse_args().runs
    bare = wall('pass', runs)
    print(f'{"bare interpreter":24s} {bare:6.3f} s')
    for mod in MODULES:
        try: t = wall(f'import {mod}', runs)
        except subprocess.CalledProcessError: print(f'{mod:24s}  (not importable)'); continue
        print(f'{mod:24s} {t:6.3f} s   (+{t - bare:.3f} s over a bare interpreter)')
    print(f'\n{"asd-nb CMD --help":24s} {"spec":>8s} {"live":>8s}  speed-up')
    for cmd in HELP_COMMANDS:
        spec = wall(f"from asd_nb.cli import main; main([{cmd!r}, '--help'])", runs)
        live = wall(f"import asd_nb.cli as c; c.parser({cmd!r}, c.command_spec({cmd!r})).format_help()", max(1, runs // 2))
        print(f'{cmd:24s} {spec:7.3f}s {live:7.3f}s  {live / spec:5.1f}x')
