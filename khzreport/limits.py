"""Every limit khzreport puts on its input, in one place.

A report source is untrusted input: whoever can write ``report.yaml`` (or a theme file or a
photo next to it) must not be able to make a build run for ever, eat the machine's memory,
read files outside the source folder or reach the network. Each constant below is enforced
where the input is read, and each is listed in the README ("Security and limits"); the test
suite checks that the table there and these values agree, and exercises every limit at and
just over its value.
"""

from __future__ import annotations

# -- the source file (khzreport.source)

MAX_SOURCE_BYTES = 5 * 1024 * 1024
"""Largest source or theme file read, in bytes; a real annual report is well under 200 KB."""

MAX_NODES = 50_000
"""Most YAML nodes (keys, values, lists, mappings) in one file, each alias counted as a copy
of what it names: an alias bomb ("billion laughs") is refused while it is being read. The
example report has 1,800 (3,700 with its statistics table written out in YAML); reading
50,000 takes about 4 s."""

MAX_DEPTH = 64
"""Deepest nesting of lists and mappings; a report source needs fewer than ten levels."""

# -- values (khzreport.model)

MAX_TEXT_CHARS = 20_000
"""Longest text field (a title, a label, one narrative template), in characters."""

MAX_ID_CHARS = 80
"""Longest id (indicator, chart, section, park, figure, quote)."""

MAX_NUMBER = 10**15
"""Largest magnitude of a number (value, previous, growth, target, series, rank): 1e15.
Larger figures are typing errors (the whole world's GDP is under 1e15 元)."""

MIN_YEAR = 1900
"""Earliest year a report, a series or a park may name."""

MAX_YEAR = 2107
"""Latest year a report, a series, a park or a date may name: 2107 is the last year a zip
archive (DOCX) can date its entries in."""

MAX_PROPERTY_CHARS = 255
"""Longest title, subtitle, issuer, park name and keywords (all together), in characters: a
DOCX file's properties hold at most 255."""

# -- narrative templates (khzreport.narrative)

MAX_TEMPLATE_OUTPUT = 50_000
"""Most characters one narrative template may print (and the longest text it may build)."""

MAX_SEQUENCE = 10_000
"""Longest text a template may build with ``*`` (``'x' * n``)."""

MAX_EXPONENT = 100
"""Largest exponent of ``**`` in a template."""

MAX_TEMPLATE_INT_DIGITS = 100
"""Most digits of a whole number computed in a template (``*`` and ``**``)."""

MAX_TEMPLATE_DEPTH = 20
"""Deepest nesting of a template's syntax tree (``{% if %}`` in ``{% if %}``, brackets)."""

# -- one document (khzreport.resolver.composer, khzreport.writers.pdf)

MAX_DOCUMENT_CHARS = 200_000
"""Most characters of text one resolved document may hold, every template and field
counted as printed: each template is capped, but many could still add up to thousands of
pages. The example report, briefing and every park sheet together, holds 9,000."""

MAX_DOCUMENT_FIGURES = 200
"""Most figures (charts and photos) one document may show."""

MAX_PDF_PAGES = 300
"""Most pages a PDF may have (known only once Typst has set it; the text and figure limits
keep a valid source well below it)."""

# -- images (khzreport.layouts.common)

MAX_IMAGE_BYTES = 50 * 1024 * 1024
"""Largest photo file, in bytes."""

MAX_IMAGE_PIXELS = 40_000_000
"""Most pixels of a photo (width x height, read from its header before anything is decoded):
40 megapixels, more than any camera photo needs; stops decompression bombs."""

# -- data files (khzreport.source.spreadsheet)

MAX_SHEET_CELLS = 500_000
"""Most cells read from one .xlsx or CSV table: every stored cell, blank formatted ones
included, and the empty cells before a row's last value. An indicator table has a few
thousand; reading 500,000 takes a few seconds. The sheet's declared size is not trusted."""

MAX_SHEET_COLUMNS = 1_000
"""Rightmost column (ALL) that may hold a value in a data table."""

MAX_SHEET_ROWS = 100_000
"""Most non-empty rows read from one data table; an indicator table has tens or hundreds."""

MAX_CSV_BYTES = 50 * 1024 * 1024
"""Largest CSV data file, in bytes."""

MAX_XLSX_UNPACKED_BYTES = 500 * 1024 * 1024
"""Largest total unpacked size of an .xlsx archive, read from its directory before anything
is parsed (stops zip bombs)."""

# -- paths (khzreport.source.assets)

MAX_NAME_BYTES = 255
"""Longest file or folder name a source may name, in bytes (ext4, APFS and NTFS allow it)."""

MAX_PATH_BYTES = 1024
"""Longest path a source may name, relative to its folder, in bytes."""

ALL = {
    name: value
    for name, value in dict(globals()).items()
    if name.isupper() and isinstance(value, int) and not name.startswith("_")
}
"""Every limit by name (what the README table lists)."""
