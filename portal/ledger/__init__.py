"""The ledger: every movement of money is one balanced posting, tagged with its source.

Prize payments post here now; the follow-on capital work (grants, loans, repayments) will too.
It has no pages of its own yet, so it has no blueprint.
"""
