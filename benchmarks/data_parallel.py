"""Seconds per fine-tuning step of `asd-nb train` in one process and in N data-parallel CPU processes (torchrun, gloo).

    .venv/bin/python benchmarks/data_parallel.py [--procs 2] [--family hubert] [--bs 8] [--steps 16] [--warmup 2]

Each setting runs `asd-nb train` as a user runs it (a fresh Python; torchrun for N processes), with a callback added
that times every training step on the main process, from the start of the batch to the end of the update (DDP's
gradient all-reduce included); the median over the steps after `--warmup` is reported, so imports, process start-up,
the k-NN back end and the writing of the run folder do not count, and neither do the spikes of a shared machine.
The encoder is a tiny random one (`tiny_config`) on a small synthetic dataset; the global batch is the same
(`--bs`), shared out among the processes; each process gets one thread (OMP_NUM_THREADS=1). On a GPU machine the
same command with `--procs` GPUs measures the GPU path (not done here: no GPU).
"""
import argparse, json, os, statistics, subprocess, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'tests'))

# Run `asd-nb train` with a step timer on the callback that every fine-tuning Learner has (EpochSeed)
TIMED = """
import json, sys, time
from fastai.torch_core import rank_distrib
import asd_nb.train as T
times = []
def before_batch(self): self._t0 = time.perf_counter()
def after_step(self): times.append(time.perf_counter() - self._t0)
T.EpochSeed.before_batch, T.EpochSeed.after_step = before_batch, after_step
from asd_nb.cli import main
rc = main(sys.argv[2:])
if not rank_distrib(): open(sys.argv[1], 'w').write(json.dumps(times))
sys.exit(rc)
"""


def step_times(args: list, procs: int, env: dict, script: Path, out: Path) -> list:
    "Seconds of each training step of `asd-nb train ARGS` (main process), in one process or under torchrun with `procs`."
    launcher = [] if procs == 1 else ['-m', 'torch.distributed.run', '--nproc_per_node', str(procs)]
    r = subprocess.run([sys.executable, *launcher, str(script), str(out), 'train', *map(str, args)], capture_output=True, text=True, env=env)
    if r.returncode: sys.exit(r.stderr[-3000:])
    return json.loads(out.read_text())


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--procs', type=int, default=2); p.add_argument('--family', default='hubert'); p.add_argument('--bs', type=int, default=8)
    p.add_argument('--steps', type=int, default=16); p.add_argument('--warmup', type=int, default=2)
    a = p.parse_args()
    from conftest import make_tiny_inputs
    root = make_tiny_inputs(Path(tempfile.mkdtemp()), a.family, 'fan', n_source_train=16, n_target_train=2, n_test=2, duration=2.)
    (script := root/'timed_train.py').write_text(TIMED)
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'PYTHONWARNINGS': 'ignore', 'PYTHONPATH': os.pathsep.join([str(ROOT), os.environ.get('PYTHONPATH', '')])}
    rows = []
    for procs in (1, a.procs):
        args = [root/'data', '--machine', 'fan', '--backbone', root/'encoder', '--out', root/f'run{procs}', '--steps', a.steps,
                '--steps-per-epoch', a.steps, '--bs', a.bs, '--crop-seconds', 1.0, '--emb-dim', 16, '--valid-pct', 0, '--no-progress']
        t = step_times(args, procs, env, script, root/f'times{procs}.json')[a.warmup:]
        rows.append((procs, statistics.median(t), min(t), max(t)))
    print(f"tiny {a.family} encoder, global batch {a.bs} x 1 s crops, {os.cpu_count()} CPU cores, one thread per process, "
          f"{a.steps - a.warmup} timed steps")
    print('| processes | median seconds per step | fastest | slowest |')
    print('| ---: | ---: | ---: | ---: |')
    for procs, med, lo, hi in rows: print(f"| {procs} | {med:.3f} | {lo:.3f} | {hi:.3f} |")
    print(f"ratio {a.procs} processes / 1 process (median): {rows[1][1] / rows[0][1]:.2f}")


if __name__ == '__main__': main()
