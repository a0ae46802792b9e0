# Thin entry points: the logic lives in scripts/ (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help setup run test bench lint clean

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-7s %s\n", $$1, $$2}'

setup:  ## .venv and system packages only
	@bash scripts/bootstrap.sh deps

run:  ## set everything up and start the hub with demo data
	@bash scripts/run.sh

test:  ## the whole suite: ruff, pytest on SQLite, pytest on PostgreSQL
	@bash scripts/test.sh

bench:  ## speed figures against their targets (bench/bench_*.py)
	@bash scripts/bootstrap.sh deps && bash scripts/bootstrap.sh redis && .venv/bin/python bench/run.py $(ARGS)

lint:  ## ruff and mypy
	@bash scripts/bootstrap.sh deps && .venv/bin/ruff check apps config tests bench \
		&& .venv/bin/mypy apps/aduan_publik/aduan_publik apps/aduan_social/aduan_social config

clean:  ## caches and generated files (keeps .venv, sites/ and var/)
	rm -rf .pytest_cache .mypy_cache .ruff_cache staticfiles test-artifacts build
	find . -path ./.venv -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
