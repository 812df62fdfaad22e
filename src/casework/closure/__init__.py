"""Closure packs (整改销号材料): the PDF and the ZIP built for a verified case.

`content` holds the plain data a pack is made from, `pdf` renders the document and `archive`
writes the ZIP of the evidence. None of them reads the database: the caller fills a
`PackContent`, so the same case always gives the same bytes.
"""
