"""One JSON object per log line: user input cannot forge extra lines."""

import json
import logging
import re
from datetime import UTC, datetime

from samverkan.audit import context

# Invitation links carry their secret in the path, and Django logs paths.
INVITATION_TOKEN = re.compile(r"/invitations/[^/\s]+/")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": INVITATION_TOKEN.sub("/invitations/<token>/", record.getMessage()),
            "request_id": context.current.get().request_id,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True)
