"""Pure checks of attached files (requests' intake photos and evidence, rectification items' evidence): the real
type from the magic bytes, size and count limits, and a safe file name.

A file's type is what its first bytes say it is, never the client's ``Content-Type`` nor the name's extension: a
``.jpg`` that is really text is refused, and a PNG sent as ``photo.jpg`` is kept as ``photo.png``. Intake photos
may be JPEG, PNG, WebP or GIF; handling evidence may also be PDF.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from zhengwu.core.errors import Invalid
from zhengwu.core.labels import LabelledEnum


class Purpose(LabelledEnum):
    INTAKE = "intake", "受理照片"
    EVIDENCE = "evidence", "办理佐证"


#: (content type, extension, magic prefixes); WebP is checked apart (RIFF....WEBP).
_MAGIC: tuple[tuple[str, str, tuple[bytes, ...]], ...] = (
    ("image/jpeg", ".jpg", (b"\xff\xd8\xff",)),
    ("image/png", ".png", (b"\x89PNG\r\n\x1a\n",)),
    ("image/gif", ".gif", (b"GIF87a", b"GIF89a")),
    ("application/pdf", ".pdf", (b"%PDF-",)),
)
EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}
EXTENSIONS["application/pdf"] = ".pdf"
IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
ALLOWED: dict[Purpose, frozenset[str]] = {
    Purpose.INTAKE: IMAGES,
    Purpose.EVIDENCE: IMAGES | {"application/pdf"},
}
FILENAME_CHARS = 100
_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f;]+')


@dataclass(frozen=True)
class Limits:
    """Largest file in bytes and most files in one submission (from the settings)."""

    max_bytes: int = 5 * 1024 * 1024
    max_files: int = 5


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    size: int
    sha256: str
    data: bytes


def sniff(data: bytes) -> str | None:
    """The content type the magic bytes of ``data`` show, or None when it is none we accept.

    >>> sniff(b"\\x89PNG\\r\\n\\x1a\\n...."), sniff(b"\\xff\\xd8\\xff\\xe0..JFIF"), sniff(b"GIF89a..")
    ('image/png', 'image/jpeg', 'image/gif')
    >>> sniff(b"RIFF\\x10\\x00\\x00\\x00WEBPVP8 "), sniff(b"%PDF-1.7\\n"), sniff(b"just some text"), sniff(b"")
    ('image/webp', 'application/pdf', None, None)
    """
    for content_type, _ext, prefixes in _MAGIC:
        if data.startswith(prefixes):
            return content_type
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def sanitize_filename(name: str, content_type: str) -> str:
    """A file name safe to store and to offer for download: no directories, control or shell-special characters,
    no leading dots, at most 100 characters, and the extension of the real type.

    >>> sanitize_filename("../../etc/passwd.jpg", "image/png")
    'passwd.png'
    >>> sanitize_filename("C:\\\\Users\\\\张三\\\\路面坑槽 K12+300.JPG", "image/jpeg")
    '路面坑槽 K12+300.jpg'
    >>> sanitize_filename('a<b>"c"|d.gif', "image/gif"), sanitize_filename("<script>x</script>.png", "image/png")
    ('a_b_c_d.gif', 'script.png')
    >>> sanitize_filename("...", "application/pdf"), sanitize_filename("", "image/webp")
    ('附件.pdf', '附件.webp')
    >>> len(sanitize_filename("长" * 300 + ".png", "image/png"))
    100
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")
    stem = re.sub(r"_+", "_", stem).strip("_")
    ext = EXTENSIONS[content_type]
    stem = stem[: FILENAME_CHARS - len(ext)] or "附件"
    return stem + ext


def check_file(name: str, data: bytes, purpose: Purpose, limits: Limits, field: str) -> CheckedFile:
    """``data`` as an attachment of ``purpose``, or ``Invalid`` naming ``field`` (too large, empty, or not of an
    allowed type by its magic bytes).

    >>> png = b"\\x89PNG\\r\\n\\x1a\\n" + bytes(8)
    >>> f = check_file("a.jpg", png, Purpose.INTAKE, Limits(), "photos")
    >>> f.filename, f.content_type, f.size, f.sha256[:12]
    ('a.png', 'image/png', 16, 'd9c9bcbbba3f')
    >>> check_file("a.jpg", b"hello", Purpose.INTAKE, Limits(), "photos")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 文件“a.jpg”不是允许的类型（只收 JPEG、PNG、WebP、GIF 图片），请重新选择。
    >>> check_file("r.pdf", b"%PDF-1.4", Purpose.EVIDENCE, Limits(), "files").content_type
    'application/pdf'
    >>> check_file("big.png", png, Purpose.INTAKE, Limits(max_bytes=10), "photos")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 文件“big.png”超过大小上限（每个文件不超过 10 字节），请压缩后重新上传。
    """
    shown = "".join(ch for ch in name.replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable())[:40] or "附件"
    if not data:
        raise Invalid(f"文件“{shown}”是空的，请重新选择。", field=field)
    if len(data) > limits.max_bytes:
        limit = size_label(limits.max_bytes)
        raise Invalid(f"文件“{shown}”超过大小上限（每个文件不超过 {limit}），请压缩后重新上传。", field=field)
    content_type = sniff(data)
    allowed = ALLOWED[purpose]
    if content_type is None or content_type not in allowed:
        kinds = "JPEG、PNG、WebP、GIF 图片" + ("或 PDF 文件" if "application/pdf" in allowed else "")
        raise Invalid(f"文件“{shown}”不是允许的类型（只收 {kinds}），请重新选择。", field=field)
    digest = hashlib.sha256(data).hexdigest()
    return CheckedFile(sanitize_filename(name, content_type), content_type, len(data), digest, data)


def check_count(files: Sequence[object], limits: Limits, field: str) -> None:
    """Refuse more files than one submission may carry.

    >>> check_count([1, 2], Limits(max_files=2), "photos")
    >>> check_count([1, 2, 3], Limits(max_files=2), "photos")
    Traceback (most recent call last):
    ...
    zhengwu.core.errors.Invalid: 一次最多上传 2 个文件（选了 3 个）。
    """
    if len(files) > limits.max_files:
        raise Invalid(f"一次最多上传 {limits.max_files} 个文件（选了 {len(files)} 个）。", field=field)


def size_label(size: int) -> str:
    """A size for people.

    >>> size_label(10), size_label(2048), size_label(5 * 1024 * 1024)
    ('10 字节', '2 KB', '5 MB')
    """
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.3g} MB"
    if size >= 1024:
        return f"{size / 1024:.3g} KB"
    return f"{size} 字节"
