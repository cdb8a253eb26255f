"""Field encryption: AES-256-GCM under a key ring, bound to its context, failing loudly."""

import base64

import pytest
from django.core.exceptions import ImproperlyConfigured
from hypothesis import given, settings
from hypothesis import strategies as st

from samverkan.crypto import DecryptionError, KeyRing, generate_key

RING = KeyRing.parse(f"k2:{generate_key()},k1:{generate_key()}")


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_any_text_round_trips(text):
    assert RING.decrypt(RING.encrypt(text, context="c"), context="c") == text


def test_the_ciphertext_holds_no_plaintext_and_names_its_key():
    token = RING.encrypt("CANARY-SHELTER-7f3a", context="person.address:1")
    assert "CANARY" not in token
    assert "CANARY" not in base64.urlsafe_b64decode(token.split(":")[2]).decode("latin-1")
    assert RING.key_id_of(token) == "k2"


def test_the_same_value_encrypts_differently_each_time():
    assert RING.encrypt("same", context="c") != RING.encrypt("same", context="c")


def test_a_value_moved_to_another_field_or_record_does_not_decrypt():
    token = RING.encrypt("secret", context="person.address:1")
    with pytest.raises(DecryptionError):
        RING.decrypt(token, context="person.address:2")


@given(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=255))
@settings(max_examples=200, deadline=None)
def test_any_flipped_byte_is_detected(position, flip):
    token = RING.encrypt("a value worth protecting", context="c")
    version, key_id, payload = token.split(":")
    raw = bytearray(base64.urlsafe_b64decode(payload))
    raw[position % len(raw)] ^= flip
    tampered = f"{version}:{key_id}:{base64.urlsafe_b64encode(bytes(raw)).decode()}"
    with pytest.raises(DecryptionError):
        RING.decrypt(tampered, context="c")


@pytest.mark.parametrize("garbage", ["", "v1", "v1:k1", "v1:k9:AAAA", "v2:k1:AAAA", "v1:k1:!!!"])
def test_malformed_ciphertext_raises_rather_than_returning_garbage(garbage):
    with pytest.raises(DecryptionError):
        RING.decrypt(garbage, context="c")


def test_an_old_key_still_decrypts_and_a_removed_key_fails_loudly():
    old_key, new_key = generate_key(), generate_key()
    before = KeyRing.parse(f"old:{old_key}")
    token = before.encrypt("value", context="c")
    rotated = KeyRing.parse(f"new:{new_key},old:{old_key}")
    assert rotated.decrypt(token, context="c") == "value"
    assert rotated.key_id_of(rotated.encrypt("value", context="c")) == "new"
    with pytest.raises(DecryptionError):
        KeyRing.parse(f"new:{new_key}").decrypt(token, context="c")


@pytest.mark.parametrize(
    "value",
    ["", "k1", "k1:not-base64!", f"k1:{base64.b64encode(b'short').decode()}", "k1:{0},k1:{0}"],
)
def test_a_bad_key_ring_refuses_to_start(value):
    with pytest.raises(ImproperlyConfigured):
        KeyRing.parse(value.format(generate_key()))
