"""Responsible units (责任单位): a tree with stable codes."""
