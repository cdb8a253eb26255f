"""An upload handler that stops reading a file as soon as it passes the size limit,
instead of receiving it whole (into memory or a temporary file) and refusing it then."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.utils.translation import gettext as _

# Set on the request when an upload was stopped, for the view to say why.
REFUSED = "network_upload_refused"


class SizeLimitUploadHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: passes chunks on until one file passes
    ``NETWORK_UPLOAD_MAX_BYTES``, then ends the upload without reading the rest."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > settings.NETWORK_UPLOAD_MAX_BYTES:
            setattr(self.request, REFUSED, True)
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def upload_refusal(request) -> str | None:
    """The message for an upload the handler stopped, if it stopped one."""
    if not getattr(request, REFUSED, False):
        return None
    limit = settings.NETWORK_UPLOAD_MAX_BYTES
    return _("The file is too large: at most %(size)d MB.") % {"size": limit // (1024 * 1024)}
