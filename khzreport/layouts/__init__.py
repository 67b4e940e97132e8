"""Layouts build a resolved :class:`~khzreport.document.Document` from the model.

The annual briefing (:func:`compose_briefing`) and a park sheet (:func:`compose_sheet`) are
two arrangements of the same resolved blocks; writers never know which one they draw.
"""

from .briefing import compose_briefing
from .sheet import compose_sheet

__all__ = ["compose_briefing", "compose_sheet"]
