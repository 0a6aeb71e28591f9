"""Templates (Jinja2) for the few things the API renders for people: email
bodies and the pages that complete an email's link in a browser. Each
domain keeps its own under `<package>/templates/`.

HTML is escaped by default (a name or a title is text, never markup); plain
text (`.txt`) is not. An undefined variable is an error, not an empty
string, so a renamed field cannot silently vanish from an email.
"""

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape


@cache
def templates(package: str) -> Environment:
    """The templates of `package` (a module path such as `src.auth`)."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
