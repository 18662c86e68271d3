"""Run the whole test suite (every notebook under nbdev-test, plus tests/) and end with one closing line
`N passed, N failed, N skipped` that counts what really ran. Exit status: pytest's (non-zero if anything failed
or nothing ran). Extra arguments go to pytest, e.g. `python tools/run_tests.py -k metrics`."""
import subprocess, sys, tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

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
        rc = subprocess.call([sys.executable, '-m', 'pytest', str(ROOT/'tests'), '-q', '-p', 'no:cacheprovider',
                              '--durations=10', f'--junitxml={xml}', *sys.argv[1:]], cwd=ROOT)
        n = count(xml) if xml.exists() else dict(passed=0, failed=1, skipped=0)
    if rc == 0 and n['passed'] == 0: rc = 1  # a suite that ran nothing has not passed
    print(f"{n['passed']} passed, {n['failed']} failed, {n['skipped']} skipped")
    sys.exit(rc)
