"""Households (帮扶对象): who a campaign is about, with their personal data kept guarded.

The ID number and phone of a household's head are encrypted at rest (casework.personal_data),
found by a keyed hash, shown masked except to leaders and auditors reading one household, and every
full read goes to the access log — never to a case's chain, which can never forget.
"""
