"""What comes out of Casework for people to forward: the ledger (整改台账), the numbers, the reports."""
