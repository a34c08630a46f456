"""The sealed format: whatever way the bytes arrive, they come back exactly; any change is caught."""

import os

import pytest

from intake.documents import crypto


def pieces(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)] or [b""]


@pytest.mark.parametrize(
    "length", [0, 1, crypto.CHUNK_SIZE - 1, crypto.CHUNK_SIZE, 3 * crypto.CHUNK_SIZE + 7]
)
@pytest.mark.parametrize("write_size", [1000, crypto.CHUNK_SIZE, 10**9])
def test_it_gives_back_exactly_what_went_in_however_it_is_cut(length, write_size):
    key, data = crypto.new_data_key(), os.urandom(length)
    sealed = b"".join(crypto.encrypt(pieces(data, write_size), key))
    assert len(sealed) == crypto.stored_size(length)
    for read_size in (7, 65_552, 10**9):
        assert b"".join(crypto.decrypt(pieces(sealed, read_size), key)) == data


def sealed_three_chunks():
    key = crypto.new_data_key()
    return key, b"".join(crypto.encrypt([os.urandom(3 * crypto.CHUNK_SIZE)], key))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda s: s[:-1], id="last byte cut"),
        pytest.param(lambda s: s[: -(crypto.CHUNK_SIZE + crypto.TAG_SIZE)], id="last chunk dropped"),
        pytest.param(lambda s: s[:500] + bytes([s[500] ^ 1]) + s[501:], id="one bit flipped"),
        pytest.param(
            lambda s: (
                s[: crypto.HEADER.size]
                + s[
                    crypto.HEADER.size + crypto.CHUNK_SIZE + crypto.TAG_SIZE : crypto.HEADER.size
                    + 2 * (crypto.CHUNK_SIZE + crypto.TAG_SIZE)
                ]
                + s[crypto.HEADER.size : crypto.HEADER.size + crypto.CHUNK_SIZE + crypto.TAG_SIZE]
                + s[crypto.HEADER.size + 2 * (crypto.CHUNK_SIZE + crypto.TAG_SIZE) :]
            ),
            id="chunks swapped",
        ),
        pytest.param(lambda s: s[:10], id="only part of the header"),
    ],
)
def test_any_change_to_the_stored_bytes_is_caught(damage):
    key, sealed = sealed_three_chunks()
    with pytest.raises(crypto.Unreadable):
        b"".join(crypto.decrypt([damage(sealed)], key))


def test_a_wrapped_key_opens_only_for_its_own_document_and_master_key(settings):
    settings.DOCUMENT_KEYS = {"k1": os.urandom(32)}
    data_key = crypto.new_data_key()
    wrapped = crypto.wrap(data_key, document_id="doc-a")
    assert crypto.unwrap(wrapped, document_id="doc-a") == data_key
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(wrapped, document_id="doc-b")  # moved to another row
    settings.DOCUMENT_KEYS = {"k1": os.urandom(32)}
    with pytest.raises(crypto.Unreadable):
        crypto.unwrap(wrapped, document_id="doc-a")  # same id, another key
