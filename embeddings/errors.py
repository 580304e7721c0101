"""The one error a document can raise while it is read."""


class DocumentError(ValueError):
    """A document that cannot be read; the message names the file and what to do."""
