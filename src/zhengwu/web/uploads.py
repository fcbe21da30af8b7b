"""Reading uploaded files from a form and answering a download, for every system that takes files (requests'
photos and evidence, rectification items' evidence); the checks of the bytes are in :mod:`zhengwu.core.attachments`.

A download is always ``Content-Disposition: attachment`` with ``X-Content-Type-Options: nosniff`` and the type the
magic bytes showed, so a browser never renders an uploaded file inline as a page of this site.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile

from zhengwu.core.attachments import Limits
from zhengwu.core.settings import Settings

#: A submitted file: the name the client gave and its bytes.
Upload = tuple[str, bytes]


def limits_of(settings: Settings) -> Limits:
    return Limits(max_bytes=settings.attachment_max_bytes, max_files=settings.attachment_max_files)


async def read_uploads(form: FormData, name: str, limits: Limits) -> list[Upload]:
    """The files of the form field ``name`` (empty file inputs skipped). Each is read to at most one byte past
    the size limit, enough for the check to refuse it without holding a huge upload in memory; past the count
    limit the rest are not read at all (the count check refuses them)."""
    out: list[Upload] = []
    for value in form.getlist(name):
        if not isinstance(value, UploadFile) or not (value.filename or value.size):
            continue
        if len(out) >= limits.max_files:
            out.append((value.filename or "", b"\x00"))  # counted, never stored: the count check refuses it
            continue
        out.append((value.filename or "", await value.read(limits.max_bytes + 1)))
    return out


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987).

    >>> print(content_disposition("路面 K12.png"))
    attachment; filename="K12.png"; filename*=UTF-8''%E8%B7%AF%E9%9D%A2%20K12.png
    """
    ascii_name = "".join(ch for ch in filename if ch.isascii() and ch.isprintable() and ch not in '"\\').strip()
    return f"attachment; filename=\"{ascii_name or 'attachment'}\"; filename*=UTF-8''{quote(filename, safe='')}"
