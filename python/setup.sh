#!/usr/bin/env bash
# Sets up what the Spark and Ray drivers need, from a fresh machine: Java 17 (Debian's
# openjdk-17-jre-headless, when no Java 17 or 21 is on the PATH), a virtual environment in
# target/python-venv with PySpark, Ray Data, pyarrow, pytest and maturin (PyPI), and the
# crosscheck wheel built from this checkout and installed in it. Prints the environment's
# python. Run again after changing the Rust code: it rebuilds the wheel. With --deps, stops
# before the wheel (.ci/run starts that part early, beside the Rust build).
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if ! java -version 2>&1 | grep -qE 'version "(17|21)'; then
  echo "== installing Java 17 (Debian)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq openjdk-17-jre-headless >&2
fi

venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
  echo "== creating $venv" >&2
  python3 -m venv "$venv"
fi
echo "== installing PySpark, Ray Data, pyarrow, pytest, maturin (PyPI)" >&2
"$venv/bin/pip" install -q --disable-pip-version-check \
  'maturin>=1.7,<2' 'pyspark>=4.0,<5' 'ray[data]>=2.40,<3' 'pyarrow>=14' 'numpy>=1.22' \
  'pandas>=2.2,<3' 'pytest>=8' >&2

if [ "${1:-}" = "--deps" ]; then
  exit 0
fi
echo "== building the crosscheck wheel (maturin, release)" >&2
rm -rf target/wheels
"$venv/bin/maturin" build --quiet --release -m python/Cargo.toml -o target/wheels >&2
"$venv/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps \
  target/wheels/crosscheck-*.whl >&2
echo "$PWD/$venv/bin/python"
