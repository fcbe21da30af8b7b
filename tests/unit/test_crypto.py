"""Personal data: the keyring's encryption, the column type's conversions and the masking helpers."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, MetaData, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.schema import CreateTable

from zhengwu.core.crypto import (
    DecryptionError,
    EncryptedString,
    Keyring,
    KeyringMissing,
    UnknownKey,
    derive_key,
    key_id,
    mask_id_number,
    mask_name,
    mask_phone,
    stored_length,
)
from zhengwu.core.settings import Settings

KEY = bytes(range(32))
OTHER = bytes(range(32, 64))
RING = Keyring(KEY)


def _settings(**values: str) -> Settings:
    return Settings(_env_file=None, secret_key="test-secret", **values)  # type: ignore[call-arg, arg-type]


def _b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


# ------------------------------------------------------------------------------------------------ the keyring


def test_a_value_round_trips_and_is_stored_as_ascii_naming_its_key() -> None:
    stored = RING.encrypt("张三 13812345678")
    assert stored.isascii()
    assert stored.startswith(f"v1:{key_id(KEY)}:")
    assert "张三" not in stored and "13812345678" not in stored
    assert RING.decrypt(stored) == "张三 13812345678"


def test_equal_plaintexts_are_stored_differently() -> None:
    assert len({RING.encrypt("13812345678") for _ in range(20)}) == 20


@given(st.text(max_size=200))
def test_any_text_round_trips(text: str) -> None:
    assert RING.decrypt(RING.encrypt(text)) == text


def _flip(stored: str, at: int) -> str:
    prefix, body = stored.rsplit(":", 1)
    raw = bytearray(base64.b64decode(body))
    raw[at] ^= 0x01
    return f"{prefix}:{base64.b64encode(bytes(raw)).decode()}"


@pytest.mark.parametrize("at", [0, 12, -1], ids=["nonce", "ciphertext", "tag"])
def test_a_tampered_value_is_refused_not_returned_as_garbage(at: int) -> None:
    with pytest.raises(DecryptionError, match="完整性校验"):
        RING.decrypt(_flip(RING.encrypt("欧阳娜娜"), at))


def test_a_truncated_or_malformed_value_is_refused() -> None:
    stored = RING.encrypt("欧阳娜娜")
    prefix, body = stored.rsplit(":", 1)
    with pytest.raises(DecryptionError, match="截断"):
        RING.decrypt(f"{prefix}:{body[:36]}")
    with pytest.raises(DecryptionError, match="base64"):
        RING.decrypt(stored[:-4] + "!!!!")
    with pytest.raises(DecryptionError, match="v1 格式"):
        RING.decrypt("13812345678")


def test_the_prefix_is_authenticated_so_it_cannot_be_swapped() -> None:
    ring = Keyring(KEY, [OTHER])
    stored = ring.encrypt("张三")
    forged = stored.replace(key_id(KEY), key_id(OTHER), 1)
    with pytest.raises(DecryptionError):
        ring.decrypt(forged)


def test_a_value_written_under_another_key_is_refused_naming_the_key() -> None:
    stored = Keyring(OTHER).encrypt("张三")
    with pytest.raises(UnknownKey, match=key_id(OTHER)) as caught:
        RING.decrypt(stored)
    assert "ZHENGWU_DATA_KEYS_OLD" in str(caught.value)


def test_after_rotation_old_values_read_and_new_values_use_the_new_key() -> None:
    before = Keyring(OTHER).encrypt("张三")
    rotated = Keyring(KEY, [OTHER])
    assert rotated.decrypt(before) == "张三"
    assert rotated.encrypt("张三").startswith(f"v1:{key_id(KEY)}:")


def test_the_keyring_never_shows_its_keys() -> None:
    text = repr(Keyring(KEY, [OTHER]))
    assert key_id(KEY) in text
    assert _b64(KEY) not in text and KEY.hex() not in text


def test_a_key_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="32 字节"):
        Keyring(bytes(16))


# ------------------------------------------------------------------------------------------------ the settings


def test_the_settings_key_is_used_with_the_old_keys_for_reading() -> None:
    ring = Keyring.from_settings(_settings(data_key=_b64(KEY), data_keys_old=f"{_b64(OTHER)}, "))
    assert ring.current_id == key_id(KEY)
    assert ring.key_ids == {key_id(KEY), key_id(OTHER)}


def test_without_a_data_key_the_key_is_derived_from_the_secret_key() -> None:
    ring = Keyring.from_settings(_settings())
    assert ring.current_id == key_id(derive_key("test-secret"))
    assert ring.current_id != key_id(derive_key("another-secret"))
    assert Keyring.from_settings(_settings(data_key="  ")).current_id == ring.current_id


def test_the_derivation_is_hkdf_sha256_with_the_documented_info() -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    expected = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"zhengwu personal data").derive(b"s")
    assert derive_key("s") == expected


@pytest.mark.parametrize(
    ("values", "named"),
    [
        ({"data_key": "not base64!"}, "ZHENGWU_DATA_KEY"),
        ({"data_key": base64.b64encode(bytes(16)).decode()}, "16 字节"),
        ({"data_keys_old": f"{_b64(OTHER)},c2hvcnQ="}, "ZHENGWU_DATA_KEYS_OLD 第 2 项"),
    ],
)
def test_a_bad_key_in_the_settings_is_refused_without_repeating_it(values: dict[str, str], named: str) -> None:
    with pytest.raises(ValueError, match=named) as caught:
        Keyring.from_settings(_settings(**values))
    for value in values.values():
        assert value not in str(caught.value)


# ------------------------------------------------------------------------------------------------ the column type

DIALECT = sqlite.dialect()


def test_the_column_is_wide_enough_for_the_longest_plaintext_of_four_byte_characters() -> None:
    for length in (1, 2, 3, 11, 20, 50, 255):
        worst = RING.encrypt("😀" * length)
        assert len(worst) <= stored_length(length)
        assert stored_length(length) - len(worst) < 4  # and no wider than base64 padding needs


def test_the_declared_length_counts_plaintext_characters() -> None:
    table = Table("t", MetaData(), Column("phone", EncryptedString(20)))
    assert "VARCHAR(156)" in str(CreateTable(table).compile(dialect=postgresql.dialect()))
    assert repr(EncryptedString(20)) == "EncryptedString(length=20)"


def test_the_type_is_cacheable_by_its_length() -> None:
    assert EncryptedString(20)._static_cache_key == EncryptedString(20)._static_cache_key
    assert EncryptedString(20)._static_cache_key != EncryptedString(30)._static_cache_key


def test_none_and_the_empty_string_are_stored_as_they_are() -> None:
    column = EncryptedString(20)
    for value in (None, ""):
        assert column.process_bind_param(value, DIALECT) == value
        assert column.process_result_value(value, DIALECT) == value


def test_a_plaintext_longer_than_the_column_is_refused_before_writing() -> None:
    with pytest.raises(ValueError, match="超过 4 个字符"):
        EncryptedString(4).process_bind_param("欧阳娜娜子", DIALECT)


def test_a_column_used_without_a_keyring_says_how_to_install_one() -> None:
    with pytest.raises(KeyringMissing, match=r"Keyring\.from_settings"):
        EncryptedString(20).process_bind_param("张三", sqlite.dialect())


# ------------------------------------------------------------------------------------------------ masking


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("+8613812345678", "+86138****5678"),
        ("0743-3221234", "0743-***1234"),
        ("010-87654321", "010-****4321"),
        ("0743-3221234-801", "0743-***1234-801"),
        ("07433221234", "0743***1234"),
        ("3221234", "***1234"),
        ("123456", "****56"),
        ("1234", "****"),
        ("12", "**"),
        ("  ", ""),
        ("电话不详", "****"),
    ],
)
def test_a_phone_number_shows_only_its_ends(phone: str, shown: str) -> None:
    assert mask_phone(phone) == shown


@given(st.text(alphabet="0123456789 -+()", max_size=20))
def test_a_masked_phone_always_hides_at_least_three_of_its_digits(phone: str) -> None:
    digits = sum(ch.isdigit() for ch in phone)
    assert mask_phone(phone).count("*") >= min(digits, 3)


@pytest.mark.parametrize(
    ("name", "shown"),
    [("张三", "张*"), ("欧阳娜娜", "欧***"), ("", ""), ("王", "*"), ("买买提·艾力", "买**·**"), (" 李四 ", "李*")],
)
def test_a_name_shows_only_its_first_character(name: str, shown: str) -> None:
    assert mask_name(name) == shown


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("43312319900307123X", "433123********123X"),
        ("433123199003071234", "433123********1234"),
        ("433123900307123", "433123******123"),
        ("12345678", "****5678"),
        ("", ""),
    ],
)
def test_an_id_number_shows_its_region_and_last_four(number: str, shown: str) -> None:
    assert mask_id_number(number) == shown
