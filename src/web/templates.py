"""Templates (Jinja2) for the few things the API renders for people: email
bodies and the pages that complete an email's link in a browser. Each
domain keeps its own under `<package>/templates/`.

HTML is escaped by default (a name or a title is text, never markup); plain
text (`.txt`) is not. An undefined variable is an error, not an empty
string, so a renamed field cannot silently vanish from an email.
"""

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def templates(package: str) -> "Environment":
    """The templates of `package` (a module path such as `src.auth`)."""
    # Imported on first use: a worker that renders no email page does not
    # load Jinja2 (docs/benchmarks.md, memory).
    from jinja2 import (  # noqa: PLC0415
        Environment,
        PackageLoader,
        StrictUndefined,
        select_autoescape,
    )

    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
