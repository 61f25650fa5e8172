"""Reading an upload: a multipart body with a length, under a size limit enforced while it
streams in, before anything reaches storage."""

from django.core.files.uploadhandler import FileUploadHandler

from fabflow.errors import FabflowError, InvalidInput, TooLarge

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


class NotMultipart(FabflowError):
    """The request does not carry a multipart form a file can be read from (a 400)."""


def read_upload(request, *, limit: int) -> tuple:
    """The uploaded `file` and its `kind` of a multipart request, read under `limit` bytes."""
    if request.content_type != "multipart/form-data" or not request.content_params.get("boundary"):
        raise NotMultipart(
            "Send the file as multipart/form-data (with a boundary) holding the fields 'file' "
            "and 'kind'",
            loc=("header", "Content-Type"),
        )
    if not request.META.get("CONTENT_LENGTH"):
        # Django reads a multipart body only up to its declared length.
        raise NotMultipart(
            "Send the multipart body with a Content-Length: a chunked body cannot be read",
            loc=("header", "Content-Length"),
        )
    request.upload_handlers.insert(0, SizeLimitHandler(request, limit))
    upload_file = request.FILES.get("file")
    if upload_file is None:
        raise InvalidInput("Send the file as the multipart field 'file'", loc=("body", "file"))
    return upload_file, request.POST.get("kind", "")
