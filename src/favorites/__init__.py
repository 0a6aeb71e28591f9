"""Favorites: the posts a user keeps, and how many keep each post."""
