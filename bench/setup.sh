#!/usr/bin/env bash
# Installs what the benchmarks need and nothing else: Debian's WordNet (the spinner's
# synonyms) and a virtual environment with the MinHash-LSH peers, pinned.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ ! -f /usr/share/wordnet/data.noun ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wordnet-base >/dev/null
fi

if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install -q --disable-pip-version-check datasketch==2.0.0 rensa==0.5.0
