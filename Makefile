# Two commands do everything on a fresh machine with Python 3.11:
#   make serve   create .venv, install pinned dependencies, build the index if missing or stale, serve
#   make test    same bootstrap, then the whole test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
DEPS_HASH := $(shell cat constraints.txt pyproject.toml | sha256sum | cut -c1-12)
STAMP := $(VENV)/.installed-$(DEPS_HASH)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: serve test bench eval lint
$(STAMP):
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install -q -c constraints.txt -e '.[test]'
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/clinrag serve

# Two workers for CI's two cores (each one-threaded; see tests/conftest.py); a module's tests share a worker so
# its indexed fixtures are built once. TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: $(STAMP)
	$(VENV)/bin/python -m pytest -p no:cacheprovider -n $(TEST_WORKERS) --dist loadscope

eval: $(STAMP)
	$(VENV)/bin/clinrag eval --gate

bench: $(STAMP)
	$(VENV)/bin/python -m pip install -q -c constraints.txt -e '.[test,bench]'
	$(VENV)/bin/python -m bench.run
