"""Kalypso Spec command line and audit report."""
