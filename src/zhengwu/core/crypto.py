"""Personal data encrypted at rest, and masked for display.

**Encryption.** An ``EncryptedString`` column stores AES-256-GCM ciphertext as ASCII text::

    v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>

with a random 96-bit nonce per value (so equal plaintexts are stored differently) and the prefix
``v1:<key id>`` as associated data (so the prefix cannot be swapped). The key id is 8 hex digits of a hash of the
key: it names which key of the keyring wrote a value, so values written before a key rotation still decrypt.
A value that fails authentication (tampered, truncated, or written under another key) raises
``DecryptionError``; it never comes back as garbage. ``None`` stays ``None`` and the empty string is stored as
the empty string (its emptiness is not secret).

Encrypted columns cannot be searched or compared in SQL (each write is different): look a record up by something
else. The audit log captures ORM values before they are encrypted, so a table holding personal data lists its
encrypted columns in ``__audit_mask__``.

**Keys.** A ``Keyring`` holds the current key (used for every write) and retired keys (read only). It is built
from the settings at start-up (``Keyring.from_settings``) and installed on an engine: ``Database(url, clock,
keyring)`` does it, and ``create_app()`` installs the settings' keyring on a database given without one. Nothing
is read at import; an encrypted column used on an engine without a keyring raises ``KeyringMissing``. Tests
install keyrings of their own (``install(engine, Keyring(key))``).

**Masking.** ``mask_phone``, ``mask_name`` and ``mask_id_number`` show enough of a value to recognise it and no
more; they are pure functions for lists, exports and logs.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import weakref
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import Engine, String
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

if TYPE_CHECKING:
    from zhengwu.core.settings import Settings

VERSION = "v1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_ID_CHARS = 8
#: ``v1:`` + key id + ``:``
PREFIX_CHARS = len(VERSION) + 1 + KEY_ID_CHARS + 1
#: UTF-8 takes at most 4 bytes a character (CJK 3; emoji and the rarer CJK extensions 4).
MAX_UTF8_BYTES = 4
DERIVATION_INFO = b"zhengwu personal data"


class CryptoError(Exception):
    """Base of the errors of this module."""


class KeyringMissing(CryptoError, RuntimeError):
    """An encrypted column was used on an engine that has no keyring installed."""


class DecryptionError(CryptoError, ValueError):
    """A stored value could not be decrypted: it was altered, or none of the keyring's keys wrote it."""


class UnknownKey(DecryptionError):
    """The value was written under a key that is not in the keyring."""


def stored_length(length: int) -> int:
    """Characters of ciphertext text needed for a plaintext of at most ``length`` characters.

    ``12 + 4 · ⌈(4·length + 28) / 3⌉``: the 12-character prefix ``v1:<key id>:`` plus the base64 (4 characters per
    3 bytes, padded) of a 12-byte nonce, at most 4 bytes of UTF-8 a character and a 16-byte tag.

    >>> stored_length(20), stored_length(50)
    (156, 316)
    """
    raw = NONCE_BYTES + MAX_UTF8_BYTES * length + TAG_BYTES
    return PREFIX_CHARS + 4 * -(-raw // 3)


def key_id(key: bytes) -> str:
    """The public name of a key: 8 hex digits of a domain-separated SHA-256 of it.

    >>> key_id(bytes(32))
    'a14fdd92'
    """
    return hashlib.sha256(b"zhengwu data key id\x00" + key).hexdigest()[:KEY_ID_CHARS]


def derive_key(secret_key: str) -> bytes:
    """The development data key: HKDF-SHA256 of ``secret_key`` with info ``b"zhengwu personal data"``."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=DERIVATION_INFO)
    return hkdf.derive(secret_key.encode("utf-8"))


def decode_key(text: str, setting: str = "ZHENGWU_DATA_KEY") -> bytes:
    """The 32 bytes of a base64 data key; the error names the setting but never repeats the key."""
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{setting} 须为 base64 编码的 32 字节密钥（可用 openssl rand -base64 32 生成）") from exc
    if len(key) != KEY_BYTES:
        raise ValueError(f"{setting} 须为 32 字节密钥的 base64 编码，解码后为 {len(key)} 字节")
    return key


class Keyring:
    """The current data key, which encrypts every write, and retired keys, which still decrypt."""

    def __init__(self, current: bytes, old: Iterable[bytes] = ()) -> None:
        keys = [current, *old]
        if any(len(k) != KEY_BYTES for k in keys):
            raise ValueError(f"数据密钥须为 {KEY_BYTES} 字节")
        self.current_id = key_id(current)
        self._ciphers = {key_id(k): AESGCM(k) for k in reversed(keys)}  # the current key wins a (vanishing) clash

    @classmethod
    def from_settings(cls, settings: Settings) -> Keyring:
        """``data_key`` (or the key derived from ``secret_key`` when it is unset) plus ``data_keys_old``."""
        if settings.data_key and settings.data_key.strip():
            current = decode_key(settings.data_key)
        else:
            current = derive_key(settings.secret_key)
        old = [
            decode_key(part, f"ZHENGWU_DATA_KEYS_OLD 第 {n} 项")
            for n, part in enumerate((settings.data_keys_old or "").split(","), start=1)
            if part.strip()
        ]
        return cls(current, old)

    @property
    def key_ids(self) -> frozenset[str]:
        return frozenset(self._ciphers)

    def __repr__(self) -> str:  # never the keys themselves
        return f"Keyring(current={self.current_id!r}, keys={sorted(self._ciphers)!r})"

    def encrypt(self, plaintext: str) -> str:
        """``v1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`` under the current key, with a fresh random nonce."""
        prefix = f"{VERSION}:{self.current_id}"
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[self.current_id].encrypt(nonce, plaintext.encode("utf-8"), prefix.encode("ascii"))
        return f"{prefix}:{base64.b64encode(nonce + sealed).decode('ascii')}"

    def decrypt(self, stored: str) -> str:
        """The plaintext of a value ``encrypt`` wrote under any key of the ring, or ``DecryptionError``."""
        version, kid, body = _split(stored)
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise UnknownKey(
                f"个人信息无法解密：它由密钥 {kid} 加密，而当前密钥环只有 {', '.join(sorted(self._ciphers))}"
                "（轮换密钥后须把旧密钥列入 ZHENGWU_DATA_KEYS_OLD）"
            )
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DecryptionError(f"个人信息无法解密：密文（密钥 {kid}）不是有效的 base64，已被改动") from exc
        if len(raw) < NONCE_BYTES + TAG_BYTES:
            raise DecryptionError(f"个人信息无法解密：密文（密钥 {kid}）过短，已被截断")
        try:
            plain = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], f"{version}:{kid}".encode("ascii"))
        except InvalidTag as exc:
            raise DecryptionError(f"个人信息无法解密：密文（密钥 {kid}）未通过完整性校验，已被改动或密钥不符") from exc
        return plain.decode("utf-8")


_STORED = re.compile(rf"({VERSION}):([0-9a-f]{{{KEY_ID_CHARS}}}):(.*)", re.S)


def _split(stored: str) -> tuple[str, str, str]:
    match = _STORED.fullmatch(stored)
    if match is None:
        raise DecryptionError(f"个人信息无法解密：所存的值不是 {VERSION} 格式的密文（明文或已被改动）")
    version, kid, body = match.groups()
    return version, kid, body


# ------------------------------------------------------------------------------------------ keyrings per engine

_KEYRINGS: weakref.WeakKeyDictionary[Dialect, Keyring] = weakref.WeakKeyDictionary()


def install(engine: Engine, keyring: Keyring) -> None:
    """Make ``engine``'s encrypted columns use ``keyring`` (replacing any keyring installed before)."""
    _KEYRINGS[engine.dialect] = keyring


def installed(engine: Engine) -> Keyring | None:
    """The keyring installed on ``engine``, if any."""
    return _KEYRINGS.get(engine.dialect)


def _keyring(dialect: Dialect) -> Keyring:
    found = _KEYRINGS.get(dialect)
    if found is None:
        raise KeyringMissing(
            "加密字段所在的数据库连接未配置数据密钥：应以 Database(url, clock, Keyring.from_settings(settings)) "
            "建立数据库，或调用 zhengwu.core.crypto.install(engine, keyring)"
        )
    return found


class EncryptedString(TypeDecorator[str]):
    """A string of at most ``length`` characters, stored AES-256-GCM encrypted (see the module docstring).

    The column is a ``VARCHAR(stored_length(length))``; a longer plaintext is refused before it is written, on
    every engine (SQLite would not check).
    """

    impl = String
    cache_ok = True

    def __init__(self, length: int) -> None:
        if length < 1:
            raise ValueError("EncryptedString 的长度须为正数")
        super().__init__(stored_length(length))
        self.length = length  # the plaintext's limit (the cache key is built from it)

    def __repr__(self) -> str:  # what Alembic renders: the plaintext's limit, not the column's width
        return f"{type(self).__name__}(length={self.length})"

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None or value == "":
            return value
        if not isinstance(value, str):
            raise TypeError(f"EncryptedString 只接受文本，收到 {type(value).__name__}")
        if len(value) > self.length:
            raise ValueError(f"文本超过 {self.length} 个字符（{len(value)} 个），不能保存")
        return _keyring(dialect).encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        if value == "":
            return ""
        return _keyring(dialect).decrypt(str(value))


# ------------------------------------------------------------------------------------------------------ masking

MASK = "*"
_MOBILE = re.compile(r"(\+?86[ -]?)?(1\d{2})[ -]?(\d{4})[ -]?(\d{4})")
_LANDLINE = re.compile(r"(\(?0\d{2,3}\)?[ -]?)(\d{7,8})((?:[ -]|转|ext\.?)\d{1,6})?", re.I)
_ID_NUMBER = re.compile(r"\d{17}[\dXx]|\d{15}")


def _mask_keep_tail(text: str, keep: int) -> str:
    """Mask every letter or digit of ``text`` but the last ``keep``; separators stay."""
    seen = 0
    total = sum(ch.isalnum() for ch in text)
    out = []
    for ch in text:
        if ch.isalnum():
            seen += 1
            out.append(ch if seen > total - keep else MASK)
        else:
            out.append(ch)
    return "".join(out)


def _tail_shown(count: int) -> int:
    """How many trailing characters of an unrecognised number to show: 4 from 7 on, fewer below, so at least
    three (and, under 7 characters, four) stay hidden."""
    return 4 if count >= 7 else max(0, count - 4)


def mask_phone(phone: str | None) -> str:
    """A phone number with its middle hidden: mobiles keep 3 + 4 digits, landlines the area code and 4 digits.

    >>> mask_phone("13812345678")
    '138****5678'
    >>> mask_phone("+86 138 1234 5678")
    '+86 138****5678'
    >>> mask_phone("0743-3221234")
    '0743-***1234'
    >>> mask_phone("(010)87654321")
    '(010)****4321'
    >>> mask_phone("12345"), mask_phone("110"), mask_phone(""), mask_phone(None)
    ('****5', '***', '', '')
    """
    text = (phone or "").strip()
    if not text:
        return ""
    if m := _MOBILE.fullmatch(text):
        return f"{m[1] or ''}{m[2]}{MASK * 4}{m[4]}"
    if m := _LANDLINE.fullmatch(text):
        local = m[2]
        return f"{m[1]}{MASK * (len(local) - 4)}{local[-4:]}{m[3] or ''}"
    return _mask_keep_tail(text, _tail_shown(sum(ch.isalnum() for ch in text)))


def mask_name(name: str | None) -> str:
    """A person's name with all but its first character hidden (separators such as ``·`` stay).

    >>> mask_name("张三"), mask_name("欧阳娜娜"), mask_name("买买提·艾力")
    ('张*', '欧***', '买**·**')
    >>> mask_name("王"), mask_name(""), mask_name(None)
    ('*', '', '')
    """
    text = (name or "").strip()
    if len(text) <= 1:
        return MASK * len(text)
    return text[0] + "".join(ch if ch in "·• -" else MASK for ch in text[1:])


def mask_id_number(number: str | None) -> str:
    """A resident ID number with the first 6 (region) and last 4 characters shown; the birth date is hidden.

    The old 15-digit numbers keep their first 6 and last 3; anything else is masked like an unrecognised number.

    >>> mask_id_number("43312319900307123X")
    '433123********123X'
    >>> mask_id_number("433123900307123")
    '433123******123'
    >>> mask_id_number("12345678"), mask_id_number("")
    ('****5678', '')
    """
    text = (number or "").strip()
    if not text:
        return ""
    if _ID_NUMBER.fullmatch(text):
        tail = 4 if len(text) == 18 else 3
        return text[:6] + MASK * (len(text) - 6 - tail) + text[-tail:]
    return _mask_keep_tail(text, _tail_shown(sum(ch.isalnum() for ch in text)))
