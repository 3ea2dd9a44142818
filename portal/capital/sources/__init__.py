"""Capital sources: where the money comes from, and what they hold by the ledger."""
