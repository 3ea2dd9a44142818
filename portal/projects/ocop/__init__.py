"""OCOP products (One Commune One Product) owned by supported projects, and their star ratings."""
