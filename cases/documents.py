"""What a case document may be, judged from its bytes: never from its name or the client's word.

The size limit (DOCUMENT_MAX_BYTES) and the type allow-list (DOCUMENT_ALLOWED_TYPES) live in
settings. Binary types are recognised by their magic bytes (`filetype`); plain text has no
magic, so it is accepted only when it is clean UTF-8 and does not start as markup.
"""
import codecs
import hashlib
import re
import unicodedata

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

SNIFF_BYTES = 8192  # as much as filetype's matchers look at (OOXML needs several zip entries)
MAX_FILENAME_LENGTH = 255

# Labels for messages and the extensions a download may carry, per accepted type.
KNOWN_TYPES = {
    "application/pdf": ("PDF", ("pdf",)),
    "image/png": ("PNG", ("png",)),
    "image/jpeg": ("JPEG", ("jpg", "jpeg")),
    "image/tiff": ("TIFF", ("tif", "tiff")),
    "text/plain": ("plain text (UTF-8)", ("txt",)),
    "text/csv": ("CSV (UTF-8)", ("csv",)),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("DOCX", ("docx",)),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("XLSX", ("xlsx",)),
    "application/vnd.oasis.opendocument.text": ("ODT", ("odt",)),
    "application/vnd.oasis.opendocument.spreadsheet": ("ODS", ("ods",)),
}

# Control characters no text document needs; tab, line feed, form feed and carriage return pass.
_TEXT_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNSAFE_FILENAME_CHARS = re.compile(r'[\\/:*?"<>|;]')


class DocumentTooLarge(Exception):
    """The upload exceeds DOCUMENT_MAX_BYTES (413)."""

    def __init__(self):
        self.detail = _("The file is larger than the limit of %(limit)s.") % {
            "limit": filesizeformat(settings.DOCUMENT_MAX_BYTES)
        }
        super().__init__(self.detail)


class UnsupportedDocumentType(Exception):
    """The content is not one of the accepted types (415)."""

    def __init__(self, detected: str | None):
        accepted = ", ".join(_label(mime) for mime in settings.DOCUMENT_ALLOWED_TYPES)
        if detected:
            found = _("The file's content is %(type)s, which is not accepted.") % {"type": detected}
        else:
            found = _("The file's content is not a recognised document type.")
        self.detail = f"{found} " + _("Accepted types: %(types)s.") % {"types": accepted}
        super().__init__(self.detail)


def _label(mime: str) -> str:
    return KNOWN_TYPES.get(mime, (mime,))[0]


def check_size(size: int) -> None:
    if size > settings.DOCUMENT_MAX_BYTES:
        raise DocumentTooLarge()


def detect_content_type(uploaded_file, *, filename: str) -> str:
    """The accepted MIME type of the file's content, or UnsupportedDocumentType.

    The name only tells CSV from other plain text; it never makes bytes acceptable.
    """
    uploaded_file.seek(0)
    head = uploaded_file.read(SNIFF_BYTES)
    uploaded_file.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        detected = kind.mime
    elif _is_plain_text(uploaded_file, head):
        detected = "text/csv" if filename.lower().endswith(".csv") else "text/plain"
    else:
        detected = None
    if detected not in settings.DOCUMENT_ALLOWED_TYPES:
        raise UnsupportedDocumentType(detected)
    return detected


def _is_plain_text(uploaded_file, head: bytes) -> bool:
    # Markup is not plain text: an HTML or SVG file renamed to .txt or .pdf stays out.
    if head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<"):
        return False
    decoder = codecs.getincrementaldecoder("utf-8")()  # strict; copes with characters split across chunks
    try:
        for chunk in uploaded_file.chunks():
            if _TEXT_CONTROL_BYTES.search(chunk):
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        uploaded_file.seek(0)
    return True


def sha256_of(uploaded_file) -> str:
    """For callers that did not stream through the upload handler (which hashes as bytes arrive)."""
    digest = hashlib.sha256()
    for chunk in uploaded_file.chunks():
        digest.update(chunk)
    uploaded_file.seek(0)
    return digest.hexdigest()


def clean_filename(name: str) -> str:
    """The caller's filename, kept for display only: no directories, controls or shell/header specials."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable())
    name = _UNSAFE_FILENAME_CHARS.sub("_", name).strip(" .")
    if len(name) > MAX_FILENAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        name = name[: MAX_FILENAME_LENGTH - len(keep) - 1].rstrip(" .") + (f".{keep}" if keep else "")
    return name or "document"


def download_filename(name: str, content_type: str) -> str:
    """The name offered on download; its extension always matches the detected type."""
    name = clean_filename(name)
    extensions = KNOWN_TYPES.get(content_type, (None, ()))[1]
    if not extensions:
        guessed = filetype.get_type(mime=content_type)
        extensions = (guessed.extension,) if guessed else ()
    if extensions and name.rpartition(".")[2].lower() not in extensions:
        name = f"{name}.{extensions[0]}"
    return name


def response_content_type(content_type: str) -> str:
    return f"{content_type}; charset=utf-8" if content_type.startswith("text/") else content_type
