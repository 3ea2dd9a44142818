"""In-kind support: goods and services handed over, each a posting and a signed receipt."""
