"""Conduit articles, favorites, comments, the feed and tags: the same posts
and rows as the native API, each mapped to its RealWorld body."""

import re
from typing import Any

import pytest
from httpx import AsyncClient

from tests.conduit.test_accounts import register, token

pytestmark = pytest.mark.anyio

# What the RealWorld suite takes for a timestamp: fractional seconds.
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$")
ARTICLE = {
    "title": "How to train your dragon",
    "description": "Ever wonder how?",
    "body": "Very carefully.",
    "tagList": ["training", "dragons"],
}


async def write(
    client: AsyncClient, author: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    response = await client.post(
        "/api/articles", json={"article": ARTICLE | fields}, headers=token(author)
    )
    assert response.status_code == 201, response.text
    article: dict[str, Any] = response.json()["article"]
    return article


async def test_an_article_is_a_post(client: AsyncClient) -> None:
    author = await register(client)
    article = await write(client, author)
    native = await client.get(f"/posts/by-slug/{article['slug']}")

    assert article["slug"] == "how-to-train-your-dragon"
    assert article["tagList"] == ["dragons", "training"]
    assert (article["title"], article["description"], article["body"]) == (
        ARTICLE["title"],
        ARTICLE["description"],
        ARTICLE["body"],
    )
    assert (article["favorited"], article["favoritesCount"]) == (False, 0)
    assert article["author"] == {
        "username": author["username"],
        "bio": "",
        "image": None,
        "following": False,
    }
    assert TIMESTAMP.match(article["createdAt"])
    assert TIMESTAMP.match(article["updatedAt"])
    assert native.status_code == 200
    assert (native.json()["content"], native.json()["tags"]) == (
        "Very carefully.",
        ["training", "dragons"],
    )


async def test_a_native_post_is_an_article(client: AsyncClient) -> None:
    author = await register(client)
    login = await client.post(
        "/auth/token",
        data={"username": author["username"], "password": "Corr3ct-horse!"},
    )
    client.cookies.clear()
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}
    post = await client.post(
        "/posts",
        json={"title": "Native", "content": "Written natively", "tags": ["zeta"]},
        headers=bearer,
    )
    draft = await client.post(
        "/posts",
        json={"title": "Secret", "content": "Not yet", "status": "draft"},
        headers=bearer,
    )

    article = await client.get(f"/api/articles/{post.json()['slug']}")
    hidden = await client.get(f"/api/articles/{draft.json()['slug']}")
    mine = await client.get(
        f"/api/articles/{draft.json()['slug']}", headers=token(author)
    )
    listed = await client.get("/api/articles", params={"author": author["username"]})

    assert article.status_code == 200
    assert article.json()["article"]["body"] == "Written natively"
    assert hidden.status_code == 404
    assert mine.status_code == 200
    assert [a["slug"] for a in listed.json()["articles"]] == [post.json()["slug"]]
    assert listed.json()["articlesCount"] == 1
    assert "body" not in listed.json()["articles"][0]


async def test_the_trailing_slash_route_creates_too(client: AsyncClient) -> None:
    author = await register(client)
    response = await client.post(
        "/api/articles/", json={"article": ARTICLE}, headers=token(author)
    )

    assert response.status_code == 201
    assert response.json()["article"]["slug"] == "how-to-train-your-dragon"


async def test_editing_renames_and_the_old_slug_still_leads_to_it(
    client: AsyncClient,
) -> None:
    author = await register(client)
    other = await register(client)
    article = await write(client, author)
    path = f"/api/articles/{article['slug']}"

    refused = await client.put(
        path, json={"article": {"body": "Mine now"}}, headers=token(other)
    )
    edited = await client.put(
        path,
        json={"article": {"title": "Dragons, revisited", "body": "With two hands"}},
        headers=token(author),
    )
    old = await client.get(path)

    assert refused.status_code == 403
    assert edited.status_code == 200
    body = edited.json()["article"]
    assert (body["slug"], body["body"], body["description"]) == (
        "dragons-revisited",
        "With two hands",
        ARTICLE["description"],
    )
    assert old.status_code == 200
    assert old.json()["article"]["slug"] == "dragons-revisited"


async def test_filters_feed_and_favorites(client: AsyncClient) -> None:
    reader = await register(client)
    writer = await register(client)
    article = await write(client, writer, tagList=["rare-topic"])
    await write(client, reader, title="By the reader", tagList=[])
    slug = article["slug"]

    favorited = await client.post(
        f"/api/articles/{slug}/favorite", headers=token(reader)
    )
    followed = await client.post(
        f"/api/profiles/{writer['username']}/follow", headers=token(reader)
    )
    feed = await client.get("/api/articles/feed", headers=token(reader))
    by_tag = await client.get("/api/articles", params={"tag": "rare-topic"})
    kept = await client.get("/api/articles", params={"favorited": reader["username"]})
    nobody = await client.get("/api/articles", params={"author": "nobody_at_all"})
    both = await client.get(
        "/api/articles", params={"favorited": reader["username"], "tag": "x"}
    )
    unfavorited = await client.delete(
        f"/api/articles/{slug}/favorite", headers=token(reader)
    )
    anonymous_feed = await client.get("/api/articles/feed")

    assert favorited.status_code == 200
    assert (
        favorited.json()["article"]["favorited"],
        favorited.json()["article"]["favoritesCount"],
    ) == (True, 1)
    assert followed.status_code == 200
    assert [a["slug"] for a in feed.json()["articles"]] == [slug]
    assert feed.json()["articlesCount"] == 1
    assert feed.json()["articles"][0]["author"]["following"] is True
    assert feed.json()["articles"][0]["favorited"] is True
    assert [a["slug"] for a in by_tag.json()["articles"]] == [slug]
    assert [a["slug"] for a in kept.json()["articles"]] == [slug]
    assert nobody.json() == {"articles": [], "articlesCount": 0}
    assert both.status_code == 422
    assert unfavorited.json()["article"]["favoritesCount"] == 0
    assert anonymous_feed.status_code == 401


async def test_limit_and_offset_page_the_articles(client: AsyncClient) -> None:
    author = await register(client)
    for n in range(3):
        await write(client, author, title=f"Part {n}")

    page = await client.get("/api/articles", params={"limit": 2, "offset": 1})
    too_many = await client.get("/api/articles", params={"limit": 1000})

    assert [a["title"] for a in page.json()["articles"]] == ["Part 1", "Part 0"]
    assert page.json()["articlesCount"] == 3
    assert too_many.status_code == 422
    assert list(too_many.json()["errors"]) == ["limit"]


async def test_comments_and_their_deletion(client: AsyncClient) -> None:
    author = await register(client)
    commenter = await register(client)
    slug = (await write(client, author))["slug"]
    path = f"/api/articles/{slug}/comments"

    created = await client.post(
        path, json={"comment": {"body": "Thank you so much!"}}, headers=token(commenter)
    )
    comment = created.json()["comment"]
    listed = await client.get(path)
    native = await client.get(f"/posts/by-slug/{slug}")
    empty = await client.post(
        path, json={"comment": {"body": ""}}, headers=token(commenter)
    )
    stranger = await register(client)
    refused = await client.delete(f"{path}/{comment['id']}", headers=token(stranger))
    deleted = await client.delete(f"{path}/{comment['id']}", headers=token(author))
    again = await client.delete(f"{path}/{comment['id']}", headers=token(author))

    assert created.status_code == 201
    assert comment["body"] == "Thank you so much!"
    assert comment["author"]["username"] == commenter["username"]
    assert TIMESTAMP.match(comment["createdAt"])
    assert listed.json() == {"comments": [comment]}
    assert native.json()["comments_count"] == 1
    assert empty.status_code == 422
    assert list(empty.json()["errors"]) == ["body"]
    assert refused.status_code == 403
    assert deleted.status_code == 200
    assert again.status_code == 404


async def test_deleting_an_article_removes_the_post(client: AsyncClient) -> None:
    author = await register(client)
    other = await register(client)
    slug = (await write(client, author))["slug"]

    refused = await client.delete(f"/api/articles/{slug}", headers=token(other))
    deleted = await client.delete(f"/api/articles/{slug}", headers=token(author))
    gone = await client.get(f"/api/articles/{slug}")
    native = await client.get(f"/posts/by-slug/{slug}")

    assert refused.status_code == 403
    assert deleted.status_code == 200
    assert gone.status_code == 404
    assert gone.json() == {"errors": {"body": ["article not found"]}}
    assert native.status_code == 404


async def test_tags_most_used_first(client: AsyncClient) -> None:
    author = await register(client)
    await write(client, author, title="One", tagList=["common", "rare"])
    await write(client, author, title="Two", tagList=["common"])

    response = await client.get("/api/tags")

    assert response.json() == {"tags": ["common", "rare"]}


async def test_a_browser_on_any_origin_may_call_the_conduit_api(
    client: AsyncClient,
) -> None:
    origin = "http://127.0.0.1:9402"
    preflight = await client.options(
        "/api/user",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    refused = await client.get("/api/user", headers={"Origin": origin})
    native = await client.options(
        "/posts",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )

    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == "*"
    assert "authorization" in preflight.headers["access-control-allow-headers"].lower()
    # The CORS headers are on errors too, so the page can read them.
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "*"
    # The native API keeps its listed origins.
    assert native.status_code == 400


async def test_a_retried_create_with_its_key_writes_one_article(
    client: AsyncClient,
) -> None:
    author = await register(client)
    headers = token(author) | {"Idempotency-Key": "write-once-1"}
    first = await client.post(
        "/api/articles", json={"article": ARTICLE}, headers=headers
    )
    again = await client.post(
        "/api/articles", json={"article": ARTICLE}, headers=headers
    )
    listed = await client.get("/api/articles", params={"author": author["username"]})

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert listed.json()["articlesCount"] == 1
