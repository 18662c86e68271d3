"""Run the whole test suite (every notebook under nbdev-test, plus tests/) and end with one closing line
`N passed, N failed, N skipped` that counts what really ran. Exit status: pytest's (non-zero if anything failed
or nothing ran). Extra arguments go to pytest, e.g. `python tools/run_tests.py -k metrics`.

Tests run in parallel processes (pytest-xdist), one per CPU core up to 4 (`ASD_NB_TEST_JOBS` overrides; 1 runs them
in this process). Each process gets an equal share of the cores for torch's and BLAS's threads, so that two notebooks
side by side do not fight over the same cores."""
import os, subprocess, sys, tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

def jobs() -> int:
    "How many test processes: `ASD_NB_TEST_JOBS`, else one per core up to 4 (a notebook process holds ~1-2 GB)."
    return int(os.environ.get('ASD_NB_TEST_JOBS') or min(os.cpu_count() or 1, 4))

def count(junit_xml: Path) -> dict:
    "Passed, failed (failures + errors) and skipped test cases in a JUnit XML report."
    n = dict(passed=0, failed=0, skipped=0)
    for case in ET.parse(junit_xml).getroot().iter('testcase'):
        kinds = {child.tag for child in case}
        n['failed' if kinds & {'failure', 'error'} else 'skipped' if 'skipped' in kinds else 'passed'] += 1
    return n

if __name__ == '__main__':
    with tempfile.TemporaryDirectory() as tmp:
        xml = Path(tmp)/'junit.xml'
        n_jobs = jobs()
        parallel = ['-n', str(n_jobs)] if n_jobs > 1 else []
        threads = str(max(1, (os.cpu_count() or 1) // n_jobs))
        env = {**os.environ, **{v: os.environ.get(v, threads) for v in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS')}}
        rc = subprocess.call([sys.executable, '-m', 'pytest', str(ROOT/'tests'), '-q', '-p', 'no:cacheprovider',
                              *parallel, '--durations=15', f'--junitxml={xml}', *sys.argv[1:]], cwd=ROOT, env=env)
        n = count(xml) if xml.exists() else dict(passed=0, failed=1, skipped=0)
    if rc == 0 and n['passed'] == 0: rc = 1  # a suite that ran nothing has not passed
    print(f"{n['passed']} passed, {n['failed']} failed, {n['skipped']} skipped")
    sys.exit(rc)
