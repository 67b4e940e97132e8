"""Resolving a report: bind every indicator, format every number, check consistency.

The composer turns model blocks into the format-neutral nodes of :mod:`khzreport.document`;
the number layer and the narrative sandbox live here, and so does lint.
"""
