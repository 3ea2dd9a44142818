"""A winner's public story of her project, published with her consent."""
