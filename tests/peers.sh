#!/bin/sh
# Installs the real peers the end-to-end tests talk to, under the build directory,
# and prints where they are. Idempotent: an installed peer is not installed again.
#   PyPI dyndns 2.0.0 (the Flask server dyndns-update-script.sh talks to), in a
#   Python venv at target/peers/venv (python3 and python3-venv from tests/deps.sh).
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
venv="${CARGO_TARGET_DIR:-$root/target}/peers/venv"

have() {
  "$venv/bin/python" - <<'PY' 2>/dev/null
import importlib.metadata as m
assert m.version("dyndns") == "2.0.0"
PY
}

if ! have; then
  echo "tests/peers.sh: installing dyndns==2.0.0 into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check dyndns==2.0.0 >&2
  have
fi
echo "$venv"
