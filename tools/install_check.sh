#!/usr/bin/env bash
# The supported install, exactly as the README gives it, from the wheel of this checkout into a throwaway virtual
# environment; then asd-nb must run in it. Called by `make install-check` (and .ci/run).
#   1. pip install torch==2.13.0          (pinned as tools/setup_env.sh does; here /opt/wheels has the CPU build)
#   2. pip install --no-deps fastai==2.8.12
#   3. pip install asd_nb-<version>-py3-none-any.whl   (= `pip install asd-nb` from PyPI)
# Takes minutes, not seconds: the torch wheel alone unpacks to ~700 MB. pip's cache (~/.cache/pip) is reused, so
# only the unpacking is paid again; `--system-site-packages` would not prove the command (the base Python has no torch).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
py=${PYTHON:-python3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/asd-nb-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)
"${BUILD_PYTHON:-$root/.venv/bin/python}" -m pip wheel -q --no-deps --no-build-isolation "$root" -w "$tmp/dist"
"$py" -m venv "$tmp/env"
pip="$tmp/env/bin/python -m pip --disable-pip-version-check -q"
$pip install torch==2.13.0
$pip install --no-deps fastai==2.8.12
$pip install "$tmp"/dist/asd_nb-*.whl
"$tmp/env/bin/python" - <<'PY'
import importlib.util, sys
extra = [m for m in ("torchvision", "torchaudio", "spacy") if importlib.util.find_spec(m)]
if extra: sys.exit(f"install_check: the supported install pulled in {', '.join(extra)}")
import torch, asd_nb
assert torch.__version__.startswith("2.13.0"), torch.__version__
PY
cd "$tmp"
env/bin/asd-nb --version
env/bin/asd-nb run --help >/dev/null
env/bin/asd-nb synth data --machines valve --n-source-train 6 --n-target-train 2 --n-test 2 --duration 1 -q
env/bin/asd-nb run data --system ae --epochs 1 --out results --device cpu -q --json > results.json
env/bin/python -c "import json; r = json.load(open('results.json')); assert 0 <= r['official_score'] <= 1, r"
echo "install_check: the supported install works ($(( $(date +%s) - t0 )) s)"
