"""`kalypso audit`: every check of the project as registered sections, one report.

A section is one function registered with `kalypso.audit.registry.section`; the runner gives it a
budget (per profile), a seed and a progress callback, and the report renders its checks.
"""
from kalypso.audit.model import Check, Context, NotAvailable, SectionResult, Status, Table
from kalypso.audit.registry import PROFILES, SECTIONS, SectionOutput, load_sections, section

__all__ = ["Check", "Context", "NotAvailable", "PROFILES", "SECTIONS", "SectionOutput", "SectionResult", "Status",
           "Table", "load_sections", "section"]
