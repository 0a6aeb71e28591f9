"""Tags: topics a post is filed under, and how many posts each has."""
