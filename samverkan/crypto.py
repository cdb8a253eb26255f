"""Application-level encryption of values at rest: AES-256-GCM under a key ring.

The key ring comes from ``settings.FIELD_ENCRYPTION_KEYS`` as ``id:base64key``
pairs separated by commas; the first key encrypts, every key decrypts. Each
ciphertext names the key that made it, so keys can be rotated without
downtime. The associated data binds a ciphertext to the place it belongs
(``context``), so a value moved to another field or record fails to decrypt.
Any failure raises :class:`DecryptionError`; nothing ever falls back to the
stored bytes.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORMAT_VERSION = "v1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """A value could not be decrypted: tampered, misplaced, or its key is gone."""


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, value: str) -> KeyRing:
        keys: dict[str, bytes] = {}
        for item in (part.strip() for part in value.split(",")):
            key_id, separator, encoded = item.partition(":")
            if not separator or not key_id or ":" in encoded:
                raise ImproperlyConfigured("Each field key must be written as id:base64key.")
            try:
                key = base64.b64decode(encoded, validate=True)
            except binascii.Error as error:
                raise ImproperlyConfigured(f"Field key {key_id} is not valid base64.") from error
            if len(key) != 32:
                raise ImproperlyConfigured(f"Field key {key_id} must be 32 bytes (AES-256).")
            if key_id in keys:
                raise ImproperlyConfigured(f"Field key id {key_id} appears twice.")
            keys[key_id] = key
        if not keys:
            raise ImproperlyConfigured("The field key ring is empty.")
        return cls(current_id=next(iter(keys)), keys=keys)

    def encrypt(self, plaintext: str, *, context: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        aad = f"{context}:{self.current_id}".encode()
        sealed = AESGCM(self.keys[self.current_id]).encrypt(nonce, plaintext.encode(), aad)
        payload = base64.urlsafe_b64encode(nonce + sealed).decode()
        return f"{FORMAT_VERSION}:{self.current_id}:{payload}"

    def decrypt(self, token: str, *, context: str) -> str:
        try:
            version, key_id, payload = token.split(":")
            raw = base64.urlsafe_b64decode(payload.encode())
        except (ValueError, binascii.Error) as error:
            raise DecryptionError("malformed ciphertext") from error
        if version != FORMAT_VERSION or key_id not in self.keys or len(raw) <= NONCE_BYTES:
            raise DecryptionError("unknown format or key")
        aad = f"{context}:{key_id}".encode()
        try:
            plaintext = AESGCM(self.keys[key_id]).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], aad)
        except InvalidTag as error:
            raise DecryptionError("authentication failed") from error
        return plaintext.decode()

    def key_id_of(self, token: str) -> str:
        return token.split(":", 2)[1]


@lru_cache(maxsize=4)
def _key_ring(value: str) -> KeyRing:
    return KeyRing.parse(value)


def key_ring() -> KeyRing:
    """The configured key ring (parsed once per distinct setting value)."""
    return _key_ring(settings.FIELD_ENCRYPTION_KEYS)


def encrypt(plaintext: str, *, context: str) -> str:
    return key_ring().encrypt(plaintext, context=context)


def decrypt(token: str, *, context: str) -> str:
    return key_ring().decrypt(token, context=context)


def validate_blind_index_key(value: str, field_keys: str) -> None:
    """The blind-index key is 32 random bytes and not one of the field keys."""
    try:
        key = base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise ImproperlyConfigured("SAMVERKAN_BLIND_INDEX_KEY is not valid base64.") from error
    if len(key) != 32:
        raise ImproperlyConfigured("SAMVERKAN_BLIND_INDEX_KEY must be 32 bytes.")
    if key in KeyRing.parse(field_keys).keys.values():
        raise ImproperlyConfigured("SAMVERKAN_BLIND_INDEX_KEY must differ from every field key.")


def validate_linkage_secret(value: str, field_keys: str, blind_index_key: str) -> None:
    """The linkage secret is at least 32 random bytes and none of the data keys.

    It is handed to agencies outside the platform (they encode with it), so
    it must never open anything else.
    """
    from samverkan.linkage import SecretError, parse_secret

    try:
        secret = parse_secret(value)
    except SecretError as error:
        raise ImproperlyConfigured(f"SAMVERKAN_LINKAGE_SECRET: {error}") from error
    others = {*KeyRing.parse(field_keys).keys.values(), base64.b64decode(blind_index_key)}
    if secret in others:
        raise ImproperlyConfigured(
            "SAMVERKAN_LINKAGE_SECRET must differ from the field keys and the blind-index key."
        )


def normalise_for_index(value: str) -> str:
    """Case, accents, punctuation and spacing do not matter for an exact match.

    "Ánna-Maria  Öberg" and "anna maria oberg" index alike; anything else differs.
    """
    decomposed = unicodedata.normalize("NFKD", value)
    letters = "".join(
        " " if not (char.isalnum() or char.isspace()) else char
        for char in decomposed
        if not unicodedata.combining(char)
    )
    return " ".join(letters.casefold().split())


def blind_index(value: str, *, kind: str) -> str:
    """A keyed HMAC-SHA256 of the normalised value: equal values, equal digests.

    ``kind`` separates the spaces (a name never matches a date). An empty value
    has no index.
    """
    normalised = normalise_for_index(value)
    if not normalised:
        return ""
    key = base64.b64decode(settings.BLIND_INDEX_KEY)
    return hmac.new(key, f"{kind}\x1f{normalised}".encode(), hashlib.sha256).hexdigest()


def generate_key() -> str:
    """A new random 256-bit key, base64-encoded, for the key ring or an HMAC key."""
    return base64.b64encode(secrets.token_bytes(32)).decode()
