"""Workflows as data: definitions, the machines built from them, and their stored versions."""
