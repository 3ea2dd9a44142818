"""Importing the loan book a union already keeps (services.py), from the command line and a page."""
