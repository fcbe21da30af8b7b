"""Reading uploaded files from a form and answering a download, for every system that takes files (requests'
photos and evidence, rectification items' evidence); the checks of the bytes are in :mod:`zhengwu.core.attachments`.

A download is always ``Content-Disposition: attachment`` with ``X-Content-Type-Options: nosniff`` and the type the
magic bytes showed, so a browser never renders an uploaded file inline as a page of this site.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.datastructures import FormData, UploadFile

from zhengwu.core.attachments import Limits
from zhengwu.core.errors import Invalid
from zhengwu.core.imports import MAX_IMPORT_BYTES
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


async def read_import_file(form: FormData, missing: str, too_big_hint: str = "", name: str = "file") -> Upload:
    """The one file of an import's form field ``name``: its name and bytes, read to at most one byte past
    :data:`~zhengwu.core.imports.MAX_IMPORT_BYTES`; no file (``missing`` says what to choose), an empty file or a
    larger one is ``Invalid`` naming the field."""
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise Invalid(missing, field=name)
    data = await upload.read(MAX_IMPORT_BYTES + 1)
    if not data:
        raise Invalid("上传的文件是空的。", field=name)
    if len(data) > MAX_IMPORT_BYTES:
        raise Invalid(f"文件超过 {MAX_IMPORT_BYTES // 1024**2} MB{too_big_hint}。", field=name)
    return upload.filename, data


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / RFC 5987).

    >>> print(content_disposition("路面 K12.png"))
    attachment; filename="K12.png"; filename*=UTF-8''%E8%B7%AF%E9%9D%A2%20K12.png
    """
    ascii_name = "".join(ch for ch in filename if ch.isascii() and ch.isprintable() and ch not in '"\\').strip()
    return f"attachment; filename=\"{ascii_name or 'attachment'}\"; filename*=UTF-8''{quote(filename, safe='')}"
