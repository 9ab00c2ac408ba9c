"""Multipart for one endpoint only (POST photos/); the rest of the API is JSON-only.

The body is refused with 413 before it is read when its Content-Length is over the photo
limit, and while it streams when it has none (chunked) or lies: the upload handler counts
what arrives. Bodies above FILE_UPLOAD_MAX_MEMORY_SIZE are spooled to a temporary file.
"""

from __future__ import annotations

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from rest_framework.parsers import MultiPartParser

from progress import images

# Room for the form's other fields and the part headers around the image.
FORM_OVERHEAD = 64 * 1024


def _too_large() -> images.ImageTooLarge:
    return images.ImageTooLarge(
        {"image": [f"A photo may be at most {images.max_bytes() // (1024 * 1024)} MB."]},
        code="file_too_large",
    )


class CappedUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > images.max_bytes() + FORM_OVERHEAD:
            raise _too_large()
        return None

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > images.max_bytes():
            raise _too_large()
        return super().receive_data_chunk(raw_data, start)


class PhotoMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        request = (parser_context or {}).get("request")
        if request is not None:
            request._request.upload_handlers = [CappedUploadHandler(request._request)]
        return super().parse(stream, media_type, parser_context)
