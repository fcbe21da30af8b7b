"""Inspection rounds and rectification (巡察 · 整改): rounds, teams, findings, leads and the rectification ledger."""
