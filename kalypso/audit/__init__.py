"""`kalypso audit`: every check of the project as sections, one report.

`model` holds what a section is and reports (`section`, `Check`, `SectionOutput`, ...); each module
of `sections/` is one area's section; `registry.SECTIONS` lists them in report order; `runner` runs
them (in-process or in worker processes) and `report` writes report/audit.md and report/audit.html.
"""
