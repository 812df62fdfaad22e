"""Campaigns (排查整改行动) and their inspection items (排查项)."""
