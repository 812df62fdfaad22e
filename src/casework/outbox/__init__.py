"""Work to do after commit: rows written in the same transaction as the change they follow."""
