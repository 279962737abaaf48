#!/usr/bin/env bash
# Benchmarks: installs the baselines (espeak-ng, lame, pandoc from Debian) and the project,
# then prints the five figures the README quotes. Not a test: nothing here asserts on time.
set -euo pipefail
cd "$(dirname "$0")/.."
need=""
for tool in espeak-ng lame pandoc; do command -v "$tool" >/dev/null || need="$need $tool"; done
if [ -n "$need" ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends $need >/dev/null
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q -e .
exec .venv/bin/python benchmarks/bench.py "$@"
