"""Reading an uploaded file, deciding what it is, and naming it safely."""

import codecs
import re
import unicodedata
from pathlib import PurePath
from urllib.parse import quote

from starlette.datastructures import UploadFile

from src.attachments.constants import (
    ALLOWED_CONTENT_TYPES,
    FILENAME_MAX_LENGTH,
    TEXT_CONTENT_TYPE,
)
from src.aws.constants import CHUNK_BYTES
from src.aws.schemas import Chunks

# Text may hold tabs, newlines, carriage returns and form feeds; any other
# control character (NUL above all) means binary.
_BINARY_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ ()+-]")
DEFAULT_FILENAME = "attachment"
_EXTENSIONS = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "application/pdf": ".pdf",
    TEXT_CONTENT_TYPE: ".txt",
}


def _is_text(head: bytes) -> bool:
    try:
        # Not final: the sample may end inside a multi-byte character.
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return _BINARY_CONTROL.search(text) is None


def sniff_content_type(head: bytes) -> str | None:
    """The allowed type the first bytes of a file show, or None.

    The client's Content-Type and filename are not consulted. Files the
    signature database knows are accepted only if that type is allowed;
    anything else is plain text if it is UTF-8 without control characters.
    """
    # Imported here: its signature tables are only needed for an upload
    # (docs/benchmarks.md, memory).
    import puremagic  # noqa: PLC0415

    try:
        detected = puremagic.from_string(head, mime=True)
    except puremagic.PureError:
        detected = ""
    if detected in ALLOWED_CONTENT_TYPES:
        return detected
    if not detected and _is_text(head):
        return TEXT_CONTENT_TYPE
    return None


def display_filename(client_name: str | None, content_type: str) -> str:
    """The client's file name made safe to show: no path, no control
    characters, at most FILENAME_MAX_LENGTH characters. Never used as a path.
    """
    # Browsers send `"`, CR and LF as %22, %0D and %0A (WHATWG form-data).
    name = (client_name or "").replace("%22", '"').replace("%0D", "").replace("%0A", "")
    name = unicodedata.normalize("NFC", name)
    name = PurePath(name.replace("\\", "/")).name
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in {"", ".", ".."}:
        name = DEFAULT_FILENAME + _EXTENSIONS.get(content_type, "")
    if len(name) > FILENAME_MAX_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        keep = suffix if dot and len(suffix) <= 16 else ""
        cut = FILENAME_MAX_LENGTH - len(keep) - (1 if keep else 0)
        name = (stem if keep else name)[:cut] + ("." + keep if keep else "")
    return name


def content_disposition(filename: str) -> str:
    """`attachment` with an ASCII fallback name and the exact UTF-8 one."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore")
    fallback = _UNSAFE_ASCII.sub("_", ascii_name.decode()) or DEFAULT_FILENAME
    encoded = quote(filename, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


async def read_upload(upload: UploadFile) -> Chunks:
    """The uploaded file's bytes, a chunk at a time (it is spooled to disk)."""
    while chunk := await upload.read(CHUNK_BYTES):
        yield chunk
