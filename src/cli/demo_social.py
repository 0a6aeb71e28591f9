"""Demo follows and favorites over the users and posts of a seed: each
user follows and keeps a few, one user is followed by very many and one
follows very many (the feed's hard cases)."""

from collections.abc import Iterator
from typing import Any

from src.cli.demo_data import DemoRows, SeedSize


def follows(rows: DemoRows, size: SeedSize) -> Iterator[dict[str, Any]]:
    """Each user follows `follows_per_user` others; the first user is also
    followed by `celebrity_followers`, the second follows `avid_follows`."""
    rng, users = rows.rng, len(rows.user_ids)
    if users < 2:
        return
    fans = set(rng.sample(range(1, users), min(size.celebrity_followers, users - 1)))
    avid = rng.sample(range(users), min(size.avid_follows, users))
    for follower in range(users):
        followed = set(rng.sample(range(users), min(size.follows_per_user, users)))
        if follower in fans:
            followed.add(0)
        if follower == 1:
            followed.update(avid)
        followed.discard(follower)
        for followee in followed:
            since = max(rows.user_created[follower], rows.user_created[followee])
            yield {
                "follower_id": rows.user_ids[follower],
                "followee_id": rows.user_ids[followee],
                "created_at": rows.moment(since),
            }


def favorites(rows: DemoRows, size: SeedSize) -> Iterator[dict[str, Any]]:
    """Each user keeps `favorites_per_user` published posts."""
    rng = rows.rng
    published = [post for post, on in enumerate(rows.published) if on]
    per_user = min(size.favorites_per_user, len(published))
    for user, user_id in enumerate(rows.user_ids):
        for post in rng.sample(published, per_user):
            since = max(rows.user_created[user], rows.post_created[post])
            yield {
                "user_id": user_id,
                "post_id": rows.post_ids[post],
                "created_at": rows.moment(since),
            }
