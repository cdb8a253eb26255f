"""The errors of the linkage library: each says what is wrong in words a user can act on.

None of them carries a personal value: a bad date is reported by line and
column, never by what was written there.
"""


class LinkageError(ValueError):
    """Base class: bad input to the linkage library."""


class SecretError(LinkageError):
    """The linkage secret is missing or too weak."""


class SchemaError(LinkageError):
    """A schema file that is malformed or of a version this library does not read."""


class EncodingError(LinkageError):
    """Encodings of the wrong length, of another schema, or not valid base64."""


class MixedSecretsError(LinkageError):
    """Sources encoded under different secrets: their encodings cannot be compared."""


class InputError(LinkageError):
    """Bad records to encode; ``problems`` lists ``(line, column, message)``."""

    def __init__(self, problems: list[tuple[int, str, str]]):
        self.problems = problems
        shown = "; ".join(
            f"line {line}, column {column}: {message}" for line, column, message in problems[:10]
        )
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        super().__init__(f"{shown}{more}")
