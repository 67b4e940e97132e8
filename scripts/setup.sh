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

# The office faces a DOCX names (仿宋_GB2312, 黑体, 楷体_GB2312 …) drawn with the closest free
# faces by LibreOffice and every fontconfig client of this user, not a Japanese sans fallback.
fc_dir="${XDG_CONFIG_HOME:-$HOME/.config}/fontconfig/conf.d"
fc_conf=scripts/fontconfig/65-khzreport-office-cjk.conf
if ! cmp -s "$fc_conf" "$fc_dir/$(basename "$fc_conf")"; then
  mkdir -p "$fc_dir"
  cp "$fc_conf" "$fc_dir/"
fi

PY="${PYTHON:-python3}"
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[dev,cluster]" 2>&1 \
  | grep -v "^WARNING: Location" || true
# An editable install leaves khzreport's own modules uncompiled (pip compiles what it copies):
# compile them once, as an installed package would be, rather than on every run
.venv/bin/python -m compileall -q khzreport
.venv/bin/python -c "import khzreport" 
