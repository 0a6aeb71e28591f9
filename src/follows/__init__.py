"""Profiles and follows: who a user is to others, whom they follow."""
