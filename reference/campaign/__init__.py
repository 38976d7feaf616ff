"""Campaigns: long searches (differential traces, state machines, mutants, simulator grids) cut
into keyed tasks and run on Dask distributed, with results appended to a directory so a
campaign resumes where it stopped (docs/campaigns.md)."""
