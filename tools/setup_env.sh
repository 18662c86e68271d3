#!/usr/bin/env bash
# Create (or complete) the local development environment in $1 (default .venv) on a CPU-only machine.
# Users elsewhere install with plain `pip install asd-nb`; this script exists because here:
#  - `torch` must be pinned to the local CPU build (an unpinned torch pulls the CUDA build, gigabytes);
#  - fastai declares torchvision and spacy, which we do not use and which break on CPU-only machines,
#    so fastai is installed without its declared dependencies (the ones it really imports are pinned below).
set -euo pipefail
venv=${1:-.venv}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
pip="$venv/bin/python -m pip --disable-pip-version-check -q"
$pip install torch==2.13.0
$pip install -r "$here/requirements-cpu.txt"
$pip install --no-deps fastai==2.8.12
$pip install --no-deps peft==0.21.2  # LoRA (asd-nb[lora]); its dependencies, accelerate included, are pinned in requirements-cpu.txt
$pip install --no-deps -e "$root"
"$venv/bin/python" - <<'PY'
import importlib, sys
bad = [m for m in ("torchvision", "torchaudio") if importlib.util.find_spec(m)]
if bad: sys.exit(f"setup_env: {', '.join(bad)} installed; they break transformers' audio models here. Remove them.")
import torch, fastai.learner, transformers, nbdev, asd_nb
print(f"setup_env: torch {torch.__version__}, transformers {transformers.__version__}, asd_nb {asd_nb.__version__}")
PY
# librosa's phase vocoder is compiled by numba on first use (15 s); pay that once here, not in every test run.
"$venv/bin/python" -c "from asd_nb.augment import warm_up; warm_up()"
touch "$venv/.installed"
