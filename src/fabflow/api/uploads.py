"""A size limit enforced while a multipart upload streams in, before anything reaches storage."""

from django.core.files.uploadhandler import FileUploadHandler

from fabflow.files.services import TooLarge, max_upload_bytes

# Room for the multipart envelope (boundaries, headers, the `kind` field) around the file.
ENVELOPE_BYTES = 64 * 1024


class SizeLimitHandler(FileUploadHandler):
    """Refuses a body announced, or found while reading, to exceed the upload limit."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        if content_length and content_length > self.limit + ENVELOPE_BYTES:
            raise self.refusal()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            raise self.refusal()
        return raw_data

    def file_complete(self, file_size):
        return None

    def refusal(self) -> TooLarge:
        return TooLarge(
            f"The file is larger than the limit of {self.limit} bytes", loc=("body", "file")
        )


def limit_upload(request) -> None:
    """Install the size limit; call before reading `request.FILES`."""
    request.upload_handlers.insert(0, SizeLimitHandler(request, max_upload_bytes()))
