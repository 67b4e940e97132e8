"""Allow ``python -m khzreport``."""

from .cli import main

main(prog_name="khzreport")
