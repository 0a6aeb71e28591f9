"""The production command (`serve`) as clients meet it: a real server
process, spoken to over TCP."""

from collections.abc import Iterator

import httpx
import pytest

from tests.utils import running_server


@pytest.fixture(scope="module")
def api(committed_module_database: str) -> Iterator[str]:
    with running_server(committed_module_database) as (_, base_url):
        yield base_url


@pytest.mark.parametrize("path", ["/health", "/posts", "/nope"])
def test_responses_do_not_name_the_server_and_forbid_sniffing(
    api: str, path: str
) -> None:
    response = httpx.get(f"{api}{path}")

    assert "server" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
