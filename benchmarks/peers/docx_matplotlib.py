"""A peer for the benchmark: what an office script would do by hand with python-docx + matplotlib.

Six bar charts and the same amount of text as the example briefing, with no binding,
validation or styling: the floor a hand-written script sets.
"""

from __future__ import annotations

import io
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from docx import Document
from docx.shared import Cm

plt.rcParams["font.sans-serif"] = ["Noto Sans CJK JP", "Noto Sans CJK SC", "DejaVu Sans"]

doc = Document()
doc.add_heading("昆山高新区2023年度发展简报", 0)
data = [("电子信息", 740), ("高端装备", 500), ("先进计算", 140)]
for chapter in range(4):
    doc.add_heading(f"第{chapter + 1}章", 1)
    for _ in range(6):
        doc.add_paragraph(
            "昆山高新区坚持创新、推动改革，开拓前行、砥砺奋进，深度激发科创动能活力。" * 4
        )
    for _ in range(2 if chapter < 2 else 1):
        fig, ax = plt.subplots(figsize=(6, 3), dpi=220)
        ax.bar([d[0] for d in data], [d[1] for d in data])
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
        plt.close(fig)
        doc.add_picture(io.BytesIO(buf.getvalue()), width=Cm(15))
doc.save(sys.argv[1])
