"""The read cache as `serve` runs it: two workers, each with its own cached
answers, their generations in Redis. A write on one worker is never hidden
by the other's cached answer."""

from typing import Any

import httpx
import pytest

from tests.utils import REDIS_URL, only_through, running_server, sign_up, worker_pids

pytestmark = pytest.mark.database_independent

ROUNDS = 5


def test_a_write_on_one_worker_is_read_on_the_other(
    committed_database: str, redis_prefix: str
) -> None:
    env = {"REDIS_URL": REDIS_URL, "RATE_LIMIT_KEY_PREFIX": redis_prefix}
    with running_server(committed_database, "--workers", "2", env=env) as (
        server,
        api,
    ):
        author, reader = sign_up(api), sign_up(api)
        created = httpx.post(
            f"{api}/posts", json={"title": "v0", "content": "c"}, headers=author.headers
        )
        assert created.status_code == 201, created.text
        url = f"{api}/posts/{created.json()['id']}"
        workers = worker_pids(server.pid)
        assert len(workers) == 2

        def read(worker: int) -> tuple[dict[str, Any], dict[str, Any]]:
            # A new connection each time, taken by the only worker running.
            with only_through(worker, workers):
                post = httpx.get(url)
                page = httpx.get(f"{api}/posts", params={"limit": 5})
            assert post.status_code == page.status_code == 200
            return post.json(), page.json()["items"][0]

        for round_ in range(1, ROUNDS + 1):
            writer, other = workers if round_ % 2 else workers[::-1]
            for worker in workers:
                read(worker)  # both workers hold the post and the page now
            with only_through(writer, workers):
                edited = httpx.patch(
                    url, json={"title": f"v{round_}"}, headers=author.headers
                )
                commented = httpx.post(
                    f"{url}/comments", json={"content": "c"}, headers=reader.headers
                )
            assert edited.status_code == 200, edited.text
            assert commented.status_code == 201, commented.text

            for worker in (other, writer):
                post, listed = read(worker)
                assert post["title"] == listed["title"] == f"v{round_}"
                assert post["comments_count"] == listed["comments_count"] == round_
