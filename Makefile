# LSE first-contact assistant. `make run` to chat, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
# Python 3.10.13 from pyenv (see .python-version); Rasa 3.6 does not run on 3.11.
PYTHON310 ?= $(shell (command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null) || command -v python3.10 || echo $(HOME)/.pyenv/versions/3.10.13/bin/python)

# Everything that changes the trained model: configuration, data and the custom NLU components.
TRAINING_FILES := config.yml domain.yml $(shell find bot/data -name '*.yml' 2>/dev/null | sort) \
  $(wildcard bot/nlu/*.py) bot/lse/danger_screen.py bot/lse/danger_model.py bot/lse/role_cues.py bot/lse/button_payloads.py bot/lse/vocabulary.py bot/lse/language.py
MODEL_HASH := $(shell cat $(TRAINING_FILES) | sha256sum | cut -c1-16)
MODEL := models/lse-$(MODEL_HASH).tar.gz

export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export RASA_TELEMETRY_ENABLED := false

# Floors on the blind sets (README "Understanding"; false alarms are a ceiling): the figures
# of the third-generation blind sets (tests/nlu/blind, written and frozen 2026-12-02 07:07 UTC;
# runs 2 and 3 at 07:54 and 08:08 UTC: role 90.0% (89.5% without any crisis text before the role's answer),
# danger recall 95.5% / 94.4%, false alarms 3.7%, questions 87.0%, routing 100% of 41,
# two-turn 100%) minus a small margin, so that a change that makes the assistant understand
# less fails `make test`; the false-alarm ceiling is the issue's target. These are new sets,
# hence new floors. Role and danger floors are BELOW the issue's targets (role 0.95, danger
# recall 0.98 per kind). Raise a floor when the assistant gets better, never lower it.
ROLE_FLOOR ?= 0.89
ROLE_STRICT_FLOOR ?= 0.885
DANGER_FLOOR ?= 0.935
FP_CEILING ?= 0.05
QUESTIONS_FLOOR ?= 0.86
ROUTING_FLOOR ?= 0.95
TWO_TURN_FLOOR ?= 0.95

.PHONY: lint test-blind nlu-report system-packages test-staff bench-staff help install test-browser run train model-path validate test test-unit test-stories test-nlu test-integration lock clean bench bench-baseline bench-profile bench-pipelines soak cluster test-cluster

help:
	@echo "make run    install, train when the data changed, start the servers and say where to chat"
	@echo "make test   lint first, then validate the data, run the unit, story, NLU and integration tests"
	@echo "make lint   style (ruff check) and types (mypy: strict for bot/lse); a few seconds"
	@echo "make test-blind  the blind sets against their floors (tests/nlu/blind, README Understanding)"
	@echo "make nlu-report  5-fold cross-validation and the figures of docs/nlu.md"
	@echo "make lock   re-resolve requirements.in and requirements-dev.in into the two lock files (UPGRADE=1: newer versions)"
	@echo "make bench  benchmark over REST against Rasa's starter assistant; updates the table in docs/performance.md"
	@echo "make soak   10,000 messages with bad inputs: 5xx, lost conversations, memory growth"
	@echo "make cluster  PostgreSQL + Redis + nginx + 2 action servers + 2 Rasa replicas, foreground"

$(VENV)/.installed: requirements.lock requirements-dev.lock .python-version
	@scripts/install.sh "$(PYTHON310)" "$(VENV)"
	@touch $@

# Front-end packages of the website chat widget (socket.io client, axe-core for the tests),
# exactly as in web/widget/package-lock.json; served by the web app, never from a CDN.
WIDGET_NPM := web/widget/node_modules/.installed
$(WIDGET_NPM): web/widget/package.json web/widget/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm is missing: apt-get install nodejs npm" >&2; exit 1; }
	cd web/widget && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed $(WIDGET_NPM)

$(MODEL): $(VENV)/.installed $(TRAINING_FILES)
	@mkdir -p models
	@echo "Training the model (data changed) ..."
	$(RASA) train --config config.yml --domain domain.yml --data bot/data \
	  --out models --fixed-model-name lse-$(MODEL_HASH) --quiet
	@ln -sf lse-$(MODEL_HASH).tar.gz models/current.tar.gz

train: $(MODEL)
	@ln -sf lse-$(MODEL_HASH).tar.gz models/current.tar.gz
	@echo "Model: $(MODEL)"

model-path:
	@echo $(MODEL)

run: train $(WIDGET_NPM)
	@scripts/run.sh "$(MODEL)"

validate: $(VENV)/.installed
	$(PY) scripts/dev_sets_to_training.py --check
	$(RASA) data validate --config config.yml --domain domain.yml --data bot/data --fail-on-warnings

# Style and types (pyproject.toml: ruff's pyflakes, bugbear, pyupgrade and isort rules; mypy,
# strict for bot/lse). The same checks run before each commit with `pre-commit install`.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

test-unit: $(VENV)/.installed
	$(PY) -m pytest -q tests/unit

# Redaction recall on the labelled sets in tests/privacy (scripts/evaluate_redaction.py), each
# set against the floors: the development set's figures of 2026-12-01 (recall 96.3%, keep
# 99.8%, names 98.4%) minus a small margin. A new set file in tests/privacy is picked up.
REDACTION_SETS ?= $(sort $(wildcard tests/privacy/*.yml))
REDACTION_FLOORS ?= recall=0.93,keep=0.98,recall_name=0.95
# The blind set (tests/privacy/blind, frozen, never tuned on; run 2026-12-02 00:03 UTC: recall
# 87.1%, names 82.8%, keep 98.4%) against floors just below that run. Raise, never lower.
REDACTION_BLIND_FLOORS ?= recall=0.85,keep=0.97,recall_name=0.80
test-redaction: $(VENV)/.installed
	@mkdir -p results/redaction
	for set in $(REDACTION_SETS); do \
	  $(PY) scripts/evaluate_redaction.py $$set --floor "$(REDACTION_FLOORS)" \
	    --json results/redaction/$$(basename $$set .yml).json || exit 1; \
	done
	cd tests/privacy/blind && sha256sum --quiet -c SHA256SUMS
	$(PY) scripts/evaluate_redaction.py tests/privacy/blind/blind.yml --floor "$(REDACTION_BLIND_FLOORS)" \
	  --json results/redaction/blind.json

test-stories: train
	$(RASA) test core --model $(MODEL) --stories tests/stories --e2e --fail-on-prediction-errors \
	  --out results/stories --no-plot --quiet
	$(PY) scripts/check_story_results.py results/stories/story_report.json tests/stories

# The old held-out set was tuned on: it is a development set now (floor kept as a regression check).
test-nlu: train
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu/heldout.yml --out results/nlu --no-plot --quiet
	$(PY) scripts/check_nlu_accuracy.py results/nlu/intent_report.json 0.90

# Blind sets (tests/nlu/blind, frozen: checksums checked) with the floors of the README.
# The development sets are training data now (scripts/dev_sets_to_training.py); how they
# were used for tuning: scripts/danger_writer_cv.py and docs/nlu.md.
BLIND_FLOORS ?= role_accuracy=$(ROLE_FLOOR),role_accuracy_without_crisis_text=$(ROLE_STRICT_FLOOR),danger_recall_suicide=$(DANGER_FLOOR),danger_recall_harm_others=$(DANGER_FLOOR),false_positive_rate=$(FP_CEILING),two_turn_conversations=$(TWO_TURN_FLOOR),questions_answered=$(QUESTIONS_FLOOR),professional_routing=$(ROUTING_FLOOR)
test-blind: train
	cd tests/nlu/blind && sha256sum --quiet -c SHA256SUMS
	$(PY) scripts/evaluate_sets.py $(MODEL) tests/nlu/blind --json results/blind.json --floors "$(BLIND_FLOORS)"

# 5-fold cross-validation on the training data (per-intent precision/recall, confusions):
# docs/nlu.md. Not in `make test` (about 4 minutes).
nlu-report: $(VENV)/.installed
	$(RASA) test nlu --config config.yml --nlu bot/data/nlu --cross-validation --folds 5 \
	  --out results/cv --no-plot --quiet
	$(PY) scripts/nlu_report.py results/cv results/blind.json tests/nlu/dev10/run7_figures.json

test-integration: train
	LSE_MODEL=$(MODEL) $(PY) -m pytest -q tests/integration

# Staff app (web/staff): real Rasa, action server and web app; headless Chromium; PostgreSQL
# when the LSE_PG_* variables are set (.ci/run sets them), skipped otherwise.
test-staff: train
	LSE_MODEL=$(MODEL) $(PY) -m pytest -q tests/staff

# Fills a throw-away database with 50,000 conversations and prints the list's page times.
bench-staff: $(VENV)/.installed
	$(PY) -m bench staff

# The website widget in real headless Chromium (Debian's /usr/bin/chromium) against real servers.
test-browser: train $(WIDGET_NPM)
	LSE_MODEL=$(MODEL) $(PY) -m pytest -q tests/browser

# ---- Performance and several replicas (bench/, cluster/; docs/performance.md, docs/replicas.md) ------------
# make bench: trains from scratch (timed), cold start, then per assistant: 1/10/50 concurrent
# conversations of visitors who pause 1-3 s between messages (BENCH_SECONDS each: latency),
# and 10/50 conversations without pauses (BENCH_SATURATE_SECONDS each: the most messages per
# second), memory; the same for Rasa's starter assistant (rasa init) unless BASELINE=0;
# prints the table, writes results/bench/*.json + .svg and the table in docs/performance.md.
BENCH_SECONDS ?= 60
BENCH_LEVELS ?= 1,10,50
BENCH_SATURATE ?= 10,50
BENCH_SATURATE_SECONDS ?= 20
BASELINE ?= 1
BENCH_ARGS ?=
bench: $(VENV)/.installed
	$(PY) -m bench run --seconds $(BENCH_SECONDS) --levels $(BENCH_LEVELS) \
	  --saturate "$(BENCH_SATURATE)" --saturate-seconds $(BENCH_SATURATE_SECONDS) --readme \
	  $(if $(filter 1,$(BASELINE)),--baseline,) $(BENCH_ARGS)

bench-baseline: BASELINE := 1
bench-baseline: bench

# Where the time of one message goes (in process, action server over HTTP).
bench-profile: train
	$(PY) -m bench profile --model $(MODEL) --cprofile $(BENCH_ARGS)

# NLU/policy variants of config.yml: held-out accuracy, failed stories, train time, latency.
bench-pipelines: $(VENV)/.installed
	$(PY) -m bench pipelines $(BENCH_ARGS)

# 10,000 messages over 500 conversations with bad inputs; not part of CI.
SOAK_ARGS ?=
soak: train
	$(PY) -m bench soak --model $(MODEL) $(SOAK_ARGS)

# Two Rasa replicas and two action servers behind nginx, PostgreSQL tracker store, Redis
# lock store; own throwaway instances on free ports (nginx on CLUSTER_PORT, default 8080).
CLUSTER_PORT ?= 8080
cluster: train
	$(PY) -m cluster $(MODEL) --port $(CLUSTER_PORT)

test-cluster: train
	LSE_MODEL=$(MODEL) $(PY) -m pytest -q tests/cluster

# Debian packages of the browser, staff and cluster tests (installed when missing, as root).
system-packages:
	@scripts/system_packages.sh

test: lint test-unit system-packages validate test-redaction test-stories test-nlu test-blind test-integration test-browser test-staff test-cluster
	@echo "All checks passed."

lock:
	@scripts/lock.sh "$(PYTHON310)"

clean:
	rm -rf models results .pytest_cache
