"""What every feature uses: time, money, text folding, audit, outbox mail, permissions, security, errors.

portal.core imports no feature package.
"""
