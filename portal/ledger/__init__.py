"""The ledger: every movement of money is one balanced posting, tagged with its source.

Prize payments and follow-on capital (contributions, loans, repayments) post here. It has no pages
of its own yet, so it has no blueprint; `flask ledger check` (cli.py) verifies it, asking the
features built on it through `signals.ledger_checking`.
"""
