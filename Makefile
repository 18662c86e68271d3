# One entry point for developers. `make test` is all CI runs.
VENV  ?= .venv
BIN   := $(VENV)/bin
FLAGS ?=
# FLAGS: space-separated test flags to run as well, e.g. `make test FLAGS="slow"` (see [tool.nbdev] tst_flags)

.PHONY: setup test install-check demo export readme clean-nbs bench evaluate outputs preview

$(VENV)/.installed: pyproject.toml tools/requirements-cpu.txt tools/setup_env.sh
	bash tools/setup_env.sh $(VENV)

setup: $(VENV)/.installed

test: setup
	ASD_NB_TEST_FLAGS="$(FLAGS)" $(BIN)/python tools/run_tests.py

# The supported install (README, "Install") from this checkout's wheel, in a throwaway venv: minutes (torch unpacks)
install-check: setup
	bash tools/install_check.sh

export: setup
	$(BIN)/nbdev-export
	$(BIN)/python -c 'from nbdev.quarto import nbdev_sidebar; nbdev_sidebar.__wrapped__()'
	$(BIN)/python tools/readme.py

readme: setup
	$(BIN)/python tools/readme.py

clean-nbs: setup
	$(BIN)/nbdev-clean

# Run every notebook on its tiny defaults and save it WITH its outputs (seeded, no bars, no local paths; ~10 min on
# 2 cores). NB="nbs/05_losses.ipynb" for some; JOBS=1 for one at a time. Commit the notebooks afterwards.
outputs: setup
	$(BIN)/python tools/outputs.py $(NB) $(if $(JOBS),--jobs $(JOBS)) --flags "$(FLAGS)"

# Render the notebooks to HTML (nbconvert) under _preview/, screenshot the home page and a tutorial in headless
# Chromium, and fail if an image or a widget's placeholder is missing from a page.
preview: setup
	$(BIN)/python tools/preview.py

bench: setup
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

demo: setup
	$(BIN)/asd-nb demo $(ARGS)

evaluate: setup
	$(BIN)/asd-nb evaluate $(ARGS)
