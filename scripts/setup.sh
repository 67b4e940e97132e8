#!/usr/bin/env bash
# Set up everything khzreport needs on a Debian machine, idempotently:
# Debian packages (fonts: Noto CJK, Noto Serif/Sans for the Latin of body text, LXGW WenKai
# for 楷体 — Debian has no 仿宋 with simplified characters, the gov preset falls back to Noto
# Serif CJK; poppler, LibreOffice for the real-client tests, Chromium for the HTML screenshot
# test) and a virtualenv in .venv with khzreport and its dev tools.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in fonts-noto-cjk fonts-noto-core fonts-lxgw-wenkai fontconfig poppler-utils libreoffice-writer-nogui libreoffice-calc-nogui chromium; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev,cluster]" 2>&1 \
  | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import khzreport" 
