# LSE first-contact assistant. `make run` to chat, `make test` to check everything.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
RASA := $(VENV)/bin/rasa
# Python 3.10.13 from pyenv (see .python-version); Rasa 3.6 does not run on 3.11.
PYTHON310 ?= $(shell (command -v pyenv >/dev/null 2>&1 && pyenv which python 2>/dev/null) || command -v python3.10 || echo $(HOME)/.pyenv/versions/3.10.13/bin/python)

TRAINING_FILES := config.yml domain.yml $(shell find bot/data -name '*.yml' 2>/dev/null | sort)
MODEL_HASH = $(shell cat $(TRAINING_FILES) | sha256sum | cut -c1-16)
MODEL = models/lse-$(MODEL_HASH).tar.gz

export PYTHONPATH := $(CURDIR)
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
export RASA_TELEMETRY_ENABLED := false

.PHONY: help install run train model-path validate test test-unit test-stories test-nlu test-integration lock clean

help:
	@echo "make run    install, train when the data changed, start the servers and say where to chat"
	@echo "make test   validate the data, run the unit, story, NLU and integration tests"
	@echo "make lock   re-resolve requirements.in into requirements.lock"

$(VENV)/.installed: requirements.lock .python-version
	@scripts/install.sh "$(PYTHON310)" "$(VENV)"
	@touch $@

install: $(VENV)/.installed

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

run: train
	@scripts/run.sh "$(MODEL)"

validate: $(VENV)/.installed
	$(RASA) data validate --config config.yml --domain domain.yml --data bot/data --fail-on-warnings

test-unit: $(VENV)/.installed
	$(PY) -m pytest -q tests/unit

test-stories: train
	$(RASA) test core --model $(MODEL) --stories tests/stories --e2e --fail-on-prediction-errors \
	  --out results/stories --no-plot --quiet

test-nlu: train
	$(RASA) test nlu --model $(MODEL) --nlu tests/nlu/heldout.yml --out results/nlu --no-plot --quiet
	$(PY) scripts/check_nlu_accuracy.py results/nlu/intent_report.json 0.90

test-integration: train
	LSE_MODEL=$(MODEL) $(PY) -m pytest -q tests/integration

test: validate test-unit test-stories test-nlu test-integration
	@echo "All checks passed."

lock:
	@scripts/lock.sh "$(PYTHON310)"

clean:
	rm -rf models results .pytest_cache
