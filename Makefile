# zhsearch: the two commands of the quick start, and a few helpers.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint index bench relevance typos dups screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# installed marker: reinstall when pyproject.toml changes
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

index: $(VENV)/.installed
	$(BIN)/zhsearch reindex index_data/articles

run: index
	$(BIN)/zhsearch serve --host $(HOST) --port $(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# search quality on CMRC 2018 questions and xwlb headlines, each with xwlb distractors, with the anchors
# (needs ../shared; see bench/relevance.py and bench/results/relevance.md)
relevance: $(VENV)/.installed
	@if [ ! -d ../shared/eval/cmrc2018 ]; then echo "relevance: skipped, ../shared is absent"; exit 0; fi; \
	$(BIN)/python -c "import bm25s, jieba" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[bench]'; \
	$(BIN)/python bench/relevance.py

# pinyin and sound-alike typo queries generated from xwlb: correction accuracy, false alarms, latency (needs
# ../shared; see bench/typos.py). Results in bench/results/typos.md.
typos: $(VENV)/.installed
	$(BIN)/python -m bench.typos $(TYPOS_ARGS)

# near-duplicate detection on copies generated from xwlb: recall, precision, digests kept apart (needs ../shared;
# see bench/dups.py). Results in bench/results/dups.md.
dups: $(VENV)/.installed
	$(BIN)/python -m bench.dups $(DUPS_ARGS)

# speed against the anchors (stock Whoosh+jieba, SQLite FTS5, tantivy) in one run; needs ../shared (skips
# without it). Results in bench/results/. Arguments: make bench BENCH_ARGS="--limit 10000 --http-seconds 10"
BENCH_ARGS ?=
bench: $(VENV)/.installed
	@$(BIN)/python -c "import jieba, tantivy, matplotlib, psutil" 2>/dev/null || $(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python -m bench.bench --updates $(BENCH_ARGS)

# the README's screenshots (docs/screenshots/*.png) of the shipped sample, with Debian's Chromium at 1280 and 390 px
screenshots: $(VENV)/.installed-dev
	$(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) index_data/index
