"""One JSON object per log line: user input cannot forge extra lines."""

import json
import logging
import re
from datetime import UTC, datetime

from samverkan.audit import context

# Invitation links and the network's personal links (surveys, activity reports)
# carry their secret in the path, and Django logs paths.
TOKEN_PATH = re.compile(
    r"/(invitations|respond|activity-report)/(?!(?:forward|practice)/)[^/\s?#\"']+"
)


def redact(text: str) -> str:
    return TOKEN_PATH.sub(r"/\1/<token>", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": context.current.get().request_id,
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=True)
