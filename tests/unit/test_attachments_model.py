"""Attachment checks without a database: the type comes from the magic bytes, never the name or the client's
content type; file names are made safe; sizes and counts are limited; the client address is kept only as a keyed
hash. Magic numbers from the format specifications: JPEG (ITU T.81, SOI FF D8 then a marker FF xx), PNG (ISO/IEC
15948 signature), GIF87a/89a, WebP (RIFF container with form type WEBP) and PDF (ISO 32000 header ``%PDF-``)."""

from __future__ import annotations

import pytest

from zhengwu.core.attachments import Limits, Purpose, check_count, check_file, sanitize_filename, sniff
from zhengwu.core.errors import Invalid
from zhengwu.requests.service.public import client_hash, normalise_code, query_hash
from zhengwu.web.uploads import content_disposition

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
GIF = b"GIF89a\x01\x00\x01\x00"
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 "
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (b"GIF87a..", "image/gif"),
        (WEBP, "image/webp"),
        (PDF, "application/pdf"),
    ],
)
def test_the_type_is_read_from_the_magic_bytes(data: bytes, expected: str) -> None:
    assert sniff(data) == expected


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"plain text",
        b"<html><script>alert(1)</script>",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
        b"PK\x03\x04zip",
        b"\xff\xd8",
        b"MZ\x90\x00 exe",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    ],
)
def test_anything_else_is_not_recognised(data: bytes) -> None:
    assert sniff(data) is None


def test_a_text_file_named_jpg_is_refused_whatever_it_claims() -> None:
    with pytest.raises(Invalid) as err:
        check_file("photo.jpg", b"just text, honestly", Purpose.INTAKE, Limits(), "photos")
    assert err.value.field == "photos" and "不是允许的类型" in err.value.message


def test_a_pdf_is_evidence_but_not_an_intake_photo() -> None:
    assert check_file("r.pdf", PDF, Purpose.EVIDENCE, Limits(), "files").content_type == "application/pdf"
    with pytest.raises(Invalid):
        check_file("r.pdf", PDF, Purpose.INTAKE, Limits(), "photos")


def test_a_file_is_renamed_to_its_real_type() -> None:
    checked = check_file("现场.jpg", PNG, Purpose.INTAKE, Limits(), "photos")
    assert (checked.filename, checked.content_type, checked.size) == ("现场.png", "image/png", len(PNG))


def test_size_limit_is_inclusive_and_empty_files_are_refused() -> None:
    data = PNG + bytes(100 - len(PNG))
    assert check_file("a.png", data, Purpose.INTAKE, Limits(max_bytes=100), "photos").size == 100
    with pytest.raises(Invalid, match="大小上限"):
        check_file("a.png", data + b"\x00", Purpose.INTAKE, Limits(max_bytes=100), "photos")
    with pytest.raises(Invalid, match="空的"):
        check_file("a.png", b"", Purpose.INTAKE, Limits(), "photos")


def test_too_many_files_are_refused() -> None:
    check_count([1] * 5, Limits(max_files=5), "photos")
    with pytest.raises(Invalid, match="最多上传 5 个"):
        check_count([1] * 6, Limits(max_files=5), "photos")


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../../etc/passwd", "image/png", "passwd.png"),
        ("..\\..\\windows\\win.ini", "image/jpeg", "win.jpg"),
        ("photo.php.jpg", "image/jpeg", "photo.php.jpg"),
        ("evil\x00.png\r\n", "image/png", "evil.png"),
        (".htaccess", "image/gif", "htaccess.gif"),
        ("a;rm -rf|b?.png", "image/png", "a_rm -rf_b.png"),
        ("", "application/pdf", "附件.pdf"),
        ("\u202egnp.exe", "image/png", "gnp.png"),
    ],
)
def test_file_names_are_made_safe(name: str, content_type: str, expected: str) -> None:
    assert sanitize_filename(name, content_type) == expected


def test_long_names_keep_their_extension() -> None:
    name = sanitize_filename("路" * 500 + ".jpeg", "image/jpeg")
    assert len(name) == 100 and name.endswith(".jpg")


def test_the_download_name_survives_in_both_header_forms() -> None:
    header = content_disposition('坑"槽.png')
    assert header.startswith('attachment; filename=".png"') and "filename*=UTF-8''%E5%9D%91%22%E6%A7%BD.png" in header


def test_the_client_address_is_kept_only_as_a_keyed_hash() -> None:
    h = client_hash("secret", "203.0.113.7")
    assert "203.0.113.7" not in h and len(h) == 64
    assert h != client_hash("secret", "203.0.113.8") and h != client_hash("another", "203.0.113.7")


def test_query_codes_are_bound_to_their_serial_and_forgiving_of_case_and_dashes() -> None:
    assert normalise_code("abcd-efgh jk") == "ABCDEFGHJK"
    assert query_hash("诉-2024-000001", "abcd-efghjk") == query_hash("诉-2024-000001", "ABCDEFGHJK")
    assert query_hash("诉-2024-000001", "ABCDEFGHJK") != query_hash("诉-2024-000002", "ABCDEFGHJK")
