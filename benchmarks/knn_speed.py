"""k-NN search speed: exact numpy search against FAISS's exact index, through `asd_nb.knn.knn_search`.

    .venv/bin/python benchmarks/knn_speed.py [--threads 2] [--reps 5] [--dim 256] [--k 2] [--omp-wait passive]

Each size is timed with the two backends alternating sample by sample, so that load from other processes on a
shared machine falls on both; a sample is the mean wall time of one `knn_search` call (input checks and
normalisation included) over enough calls to fill 50 ms, and the table shows the median (and the best) of
`--reps` samples. Seeded random Gaussian embeddings. All figures come from one run. The first size is the one
the k-NN notebook promises: a 10k bank, 10k queries, 256-d, on 2 cores, in under a second.
"""
import argparse, os, statistics, time

SIZES = [(10_000, 10_000), (1_000, 200), (50_000, 2_000), (100_000, 1_000)]  # (bank, queries)

def timed(fn, min_s: float = 0.05) -> float:
    "Mean wall time of one call of `fn()`, in seconds, over as many calls as fill `min_s` (at least one)."
    n, t0 = 0, time.perf_counter()
    while True:
        fn(); n += 1
        if (t := time.perf_counter() - t0) >= min_s: return t / n

if __name__ == '__main__':
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--threads', type=int, default=2, help='BLAS and OpenMP threads (the CI machine has 2 cores)')
    ap.add_argument('--reps', type=int, default=5, help='timed samples per backend and size')
    ap.add_argument('--dim', type=int, default=256)
    ap.add_argument('--k', type=int, default=2)
    ap.add_argument('--omp-wait', choices=['active', 'passive'], default=None,
                    help="set OMP_WAIT_POLICY for FAISS's OpenMP threads, which spin while they wait unless told "
                         "otherwise; spinning costs on a machine that other processes keep busy")
    args = ap.parse_args()
    for var in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ[var] = str(args.threads)
    if args.omp_wait: os.environ['OMP_WAIT_POLICY'] = args.omp_wait.upper()
    import numpy as np  # after the thread settings, which BLAS reads when it loads
    from asd_nb.knn import knn_search, _faiss, AUTO_FAISS_MIN_BANK
    faiss = _faiss()
    if faiss is not None: faiss.omp_set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print(f'{args.threads} threads, {os.cpu_count()} CPUs visible, load average {os.getloadavg()[0]:.2f} at start; '
          f'OMP_WAIT_POLICY={os.environ.get("OMP_WAIT_POLICY", "(unset)")}; d={args.dim}, k={args.k}, {args.reps} reps; '
          f'numpy {np.__version__}, '
          f'faiss {faiss.__version__ if faiss else "not installed"}; auto uses FAISS from a {AUTO_FAISS_MIN_BANK}-row bank')
    print(f'{"bank x queries":>18s} {"numpy: median (best)":>24s} {"faiss: median (best)":>24s} {"numpy/faiss":>12s}  '
          'agreement (ratio > 1: FAISS faster)')
    for n_bank, n_query in SIZES:
        bank = rng.standard_normal((n_bank, args.dim)).astype(np.float32)
        query = rng.standard_normal((n_query, args.dim)).astype(np.float32)
        backends = ['numpy'] + ['faiss'] * (faiss is not None)
        runs = {b: [] for b in backends}
        for b in backends: knn_search(query[:64], bank, args.k, backend=b)  # warm-up: first-call costs
        for _ in range(args.reps):
            for b in backends: runs[b].append(timed(lambda: knn_search(query, bank, args.k, backend=b)))
        t_np = statistics.median(runs['numpy'])
        if (n_bank, n_query) == SIZES[0]: headline = t_np
        row = f'{n_bank:>8,} x {n_query:<7,} {t_np * 1e3:11.1f} ms ({min(runs["numpy"]) * 1e3:6.1f})'
        if faiss is None: print(row); continue
        t_fs = statistics.median(runs['faiss'])
        (d_np, i_np), (d_fs, i_fs) = (knn_search(query, bank, args.k, backend=b) for b in ('numpy', 'faiss'))
        print(row + f' {t_fs * 1e3:11.1f} ms ({min(runs["faiss"]) * 1e3:6.1f}) {t_np / t_fs:11.2f}x  '
              f'{(i_np == i_fs).mean():.4%} same neighbours, max |distance diff| {np.abs(d_np - d_fs).max():.1e}')
    print(f'load average {os.getloadavg()[0]:.2f} at end; 10k x 10k exact numpy search: {headline:.3f} s '
          f'({"under" if headline < 1 else "OVER"} the 1 s target)')
