"""Uploaded pictures lose what they tell about the photographer before storage.

Cameras and phones write EXIF and XMP: the GPS position of the shot, the
device, its serial number, the time. Originals are public files, so that
metadata is removed on upload. The EXIF orientation is applied to the pixels
first, so the picture still stands the right way up without the tag.
"""

from __future__ import annotations

import io
import os
from typing import IO, Any

from PIL import Image, ImageOps

# The formats re-encoded on upload; anything else (GIF, SVG...) is stored as is.
REWRITTEN_FORMATS = ("JPEG", "PNG", "WEBP")
JPEG_QUALITY = 95  # only when rotating forces a new encoding
WEBP_QUALITY = 95


def without_metadata(source: IO[bytes]) -> bytes | None:
    """The picture in ``source`` without EXIF, XMP or comments, or None to keep it.

    None for a format not rewritten, an animation (re-encoding could drop
    frames or timing) or a file Pillow cannot read (the form has already
    refused those). The colour profile is kept: it is not personal and the
    colours depend on it.
    """
    source.seek(0)
    try:
        with Image.open(source) as picture:
            if picture.format not in REWRITTEN_FORMATS:
                return None
            if getattr(picture, "is_animated", False):
                return None
            picture.load()
            return _encode(picture)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        source.seek(0)


def _encode(picture: Image.Image) -> bytes:
    fmt = picture.format
    icc = picture.info.get("icc_profile")
    upright = ImageOps.exif_transpose(picture)
    rotated = upright is not None and upright is not picture
    image = upright if upright is not None else picture
    options: dict[str, object] = {}
    if icc:
        options["icc_profile"] = icc
    if fmt == "JPEG":
        if rotated:
            options.update(quality=JPEG_QUALITY, subsampling=0)
        else:
            # Same quantisation tables and subsampling: no visible loss.
            options.update(quality="keep", subsampling="keep")
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
    elif fmt == "PNG":
        if "transparency" in picture.info:
            options["transparency"] = picture.info["transparency"]
        options["optimize"] = True
    elif fmt == "WEBP":
        lossless = bool(picture.info.get("lossless"))
        options.update(lossless=lossless, quality=100 if lossless else WEBP_QUALITY)
    # No exif=, xmp= or comment= option: none of them is written.
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def has_metadata(source: IO[bytes]) -> bool:
    """Whether the picture in ``source`` carries EXIF, XMP, comments or text chunks."""
    source.seek(0)
    try:
        with Image.open(source) as picture:
            if picture.format not in REWRITTEN_FORMATS:
                return False
            info = picture.info
            return bool(
                picture.getexif()
                or getattr(picture, "text", None)
                or any(k in info for k in ("exif", "xmp", "XML:com.adobe.xmp"))
                or info.get("comment")
            )
    except (OSError, ValueError, Image.DecompressionBombError):
        return False
    finally:
        source.seek(0)


def strip_stored_original(image: Any) -> bool:
    """Rewrite ``image``'s stored original without metadata; True if it did.

    For files uploaded before originals were stripped. The cleaned file gets a
    new name and the old one is deleted, so its public URL stops answering.
    Idempotent: a file without metadata is left as it is.
    """
    from django.core.files.base import ContentFile

    with image.open_file() as f:
        data = f.read()
    if not has_metadata(io.BytesIO(data)):
        return False
    cleaned = without_metadata(io.BytesIO(data))
    if cleaned is None:
        return False
    storage = image.file.storage
    old_name = image.file.name
    image.file.save(os.path.basename(old_name), ContentFile(cleaned), save=False)
    with Image.open(io.BytesIO(cleaned)) as picture:
        image.width, image.height = picture.size  # turned upright: may swap
    image._set_image_file_metadata()
    image.save()
    storage.delete(old_name)
    return True
