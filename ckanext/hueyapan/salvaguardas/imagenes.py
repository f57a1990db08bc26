"""Personal-data guard for uploaded photos: image metadata stripping.

:func:`strip_image_metadata` re-encodes photos without EXIF (GPS position, camera make, model and
serial), XMP, IPTC and comments. An image that is recognised but cannot be decoded raises the
table scan's :class:`~ckanext.hueyapan.salvaguardas.privacidad.PrivacyScanError`, so a resource
upload reports both in the same way.

Nothing here needs a request: ``toolkit._()`` is only called when a message is built, and it returns
the English msgid when no request (and so no locale) is active.
"""
from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import ckan.plugins.toolkit as tk

from ckanext.hueyapan.salvaguardas.privacidad import PrivacyScanError

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["strip_image_metadata"]

_IMAGE_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF")  # a JPEG with several pictures opens as MPO
_LOSSLESS_TIFF = frozenset(
    {"raw", "tiff_lzw", "tiff_adobe_deflate", "tiff_deflate", "packbits", "group3", "group4"}
)


def _webp_is_lossless(data: bytes) -> bool:
    """Whether a WebP file holds a lossless (VP8L) bitstream."""
    offset = 12
    while offset + 8 <= len(data):
        chunk = data[offset:offset + 4]
        if chunk == b"VP8L":
            return True
        if chunk in (b"VP8 ", b"ANMF"):
            # ANMF frames hold their own bitstream chunk after a 16-byte header.
            if chunk == b"ANMF":
                return data[offset + 24:offset + 28] == b"VP8L"
            return False
        size = int.from_bytes(data[offset + 4:offset + 8], "little")
        offset += 8 + size + (size & 1)
    return False


def _upright_copy(frame: Image.Image) -> Image.Image:
    """A plain copy of ``frame`` with the EXIF orientation applied to its pixels and no metadata
    but the ICC profile, palette transparency, resolution and frame duration."""
    from PIL import ImageOps

    try:
        upright = ImageOps.exif_transpose(frame)
    except Exception:  # a damaged EXIF block: keep the pixels as they are
        upright = frame.copy()
    kept: dict[str | tuple[int, int], Any] = {
        key: frame.info[key]
        for key in ("icc_profile", "transparency", "dpi", "duration")
        if frame.info.get(key) is not None
    }
    upright.info = kept
    return upright


def _save_options(
    image: Image.Image, frames: list[Image.Image], data: bytes
) -> tuple[str, dict[str, Any]]:
    """Output format and save parameters: quality kept for JPEG, lossless where it was."""
    from PIL import JpegImagePlugin

    first = frames[0]
    options: dict[str, Any] = {}
    if first.info.get("icc_profile"):
        options["icc_profile"] = first.info["icc_profile"]
    if image.format in ("JPEG", "MPO"):
        quantization = getattr(image, "quantization", None)
        if quantization:
            options["qtables"] = quantization
            sampling = JpegImagePlugin.get_sampling(image)
            if sampling >= 0:
                options["subsampling"] = sampling
        else:
            options["quality"] = 90
        options["exif"] = b""
        if "progressive" in image.info or "progression" in image.info:
            options["progressive"] = True
        if first.info.get("dpi"):
            options["dpi"] = first.info["dpi"]
        return "JPEG", options
    if len(frames) > 1:
        options["save_all"] = True
        options["append_images"] = frames[1:]
    if image.format == "PNG":
        if first.info.get("transparency") is not None:
            options["transparency"] = first.info["transparency"]
        if first.info.get("dpi"):
            options["dpi"] = first.info["dpi"]
        if len(frames) > 1:
            options["duration"] = [frame.info.get("duration", 0) for frame in frames]
            options["loop"] = image.info.get("loop", 0)
        return "PNG", options
    if image.format == "WEBP":
        options["exif"] = b""
        options["xmp"] = b""
        if _webp_is_lossless(data):
            options["lossless"] = True
        else:
            options["quality"] = 90
        if len(frames) > 1:
            options["duration"] = [frame.info.get("duration", 0) for frame in frames]
            options["loop"] = image.info.get("loop", 0)
        return "WEBP", options
    compression = image.info.get("compression", "raw")
    if compression == "jpeg":
        options["quality"] = 90
    elif compression not in _LOSSLESS_TIFF:
        compression = "tiff_lzw"
    options["compression"] = compression
    if first.info.get("dpi"):
        options["dpi"] = first.info["dpi"]
    return "TIFF", options


def _reencode(image: Image.Image, data: bytes) -> bytes:
    from PIL import ImageSequence

    if image.format in ("JPEG", "MPO"):
        frames = [_upright_copy(image)]  # an MPO's extra frames are depth maps or previews
    else:
        frames = [_upright_copy(frame) for frame in ImageSequence.Iterator(image)]
    file_format, options = _save_options(image, frames, data)
    output = io.BytesIO()
    try:
        frames[0].save(output, format=file_format, **options)
    except Exception:
        if file_format != "TIFF":
            raise
        output = io.BytesIO()  # a compression this mode cannot take: fall back to lossless LZW
        frames[0].save(output, format=file_format, **{**options, "compression": "tiff_lzw"})
    return output.getvalue()


def strip_image_metadata(data: bytes, filename: str) -> bytes | None:
    """The image re-encoded without EXIF (GPS, device), XMP, IPTC or comments; None if not an image.

    JPEG, PNG, WebP and TIFF images are recognised by content, whatever their name. The EXIF
    orientation is applied to the pixels before the EXIF block is dropped; the ICC profile is
    kept. JPEG keeps its quantization tables (its quality), PNG and lossless WebP stay lossless.
    Raises :class:`PrivacyScanError` for an image that is recognised but cannot be decoded
    (truncated, damaged, or too large to decode safely).
    """
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(bytes(data or b"")), formats=_IMAGE_FORMATS)
    except Image.DecompressionBombError as error:
        raise _unprocessable(filename) from error
    except (UnidentifiedImageError, OSError, ValueError, TypeError, SyntaxError, EOFError):
        return None
    try:
        with image:
            return _reencode(image, bytes(data))
    except Exception as error:  # Pillow raises many kinds for damaged data
        raise _unprocessable(filename) from error


def _unprocessable(filename: str) -> PrivacyScanError:
    message = tk._(
        "The image \"{filename}\" could not be processed to remove its location and device data."
    )
    return PrivacyScanError(message.format(filename=filename))
