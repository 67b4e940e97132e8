#!/usr/bin/env bash
# Install the peers benchmarks/run.py times khzreport against, in their own environment:
# benchmarks/.venv-peers with matplotlib, python-docx, typst and a pandoc that writes Typst.
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x .venv-peers/bin/python ]; then
  python3 -m venv .venv-peers
fi
.venv-peers/bin/python -m pip install -q -r peers/requirements.txt
.venv-peers/bin/python -c "import pypandoc; print('pandoc', pypandoc.get_pandoc_version())"
