"""A peer for the benchmark: the route Quarto takes to a PDF, pandoc → Typst, by hand.

The same text and six bar charts as ``docx_matplotlib.py``: the charts drawn by matplotlib
as PNG files, the text written as Markdown, pandoc turning it into Typst, and the Typst
compiler (with the system's fonts) setting the PDF. No binding, validation or styling.
Run with the peers' environment (``benchmarks/setup.sh``): ``python pandoc_typst.py out.pdf``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pypandoc
import typst

plt.rcParams["font.sans-serif"] = ["Noto Sans CJK JP", "Noto Sans CJK SC", "DejaVu Sans"]

data = [("电子信息", 740), ("高端装备", 500), ("先进计算", 140)]
with tempfile.TemporaryDirectory() as tmp:
    folder = Path(tmp)
    lines = ["# 昆山高新区2023年度发展简报", ""]
    n = 0
    for chapter in range(4):
        lines += [f"## 第{chapter + 1}章", ""]
        for _ in range(6):
            text = "昆山高新区坚持创新、推动改革，开拓前行、砥砺奋进，深度激发科创动能活力。" * 4
            lines += [text, ""]
        for _ in range(2 if chapter < 2 else 1):
            n += 1
            fig, ax = plt.subplots(figsize=(6, 3), dpi=220)
            ax.bar([d[0] for d in data], [d[1] for d in data])
            fig.savefig(folder / f"chart{n}.png", format="png")
            plt.close(fig)
            lines += [f"![图{n}](chart{n}.png){{width=15cm}}", ""]
    (folder / "report.md").write_text("\n".join(lines), encoding="utf-8")
    subprocess.run(
        [
            pypandoc.get_pandoc_path(),
            "report.md",
            "--standalone",
            "--to",
            "typst",
            "--output",
            "report.typ",
            "--variable",
            "mainfont=Noto Serif CJK SC",
            "--variable",
            "lang=zh",
        ],
        cwd=folder,
        check=True,
    )
    Path(sys.argv[1]).write_bytes(typst.compile(str(folder / "report.typ")))
