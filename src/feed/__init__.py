"""The personal feed: the posts of the users one follows."""
