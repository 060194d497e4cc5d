"""A profile photo as it is uploaded: checked with Pillow, then re-encoded as it is kept.

Whatever the person sends (a JPEG, PNG or WebP of at most 5 MB), what is stored is a new
400x400 JPEG drawn from its pixels: turned upright as the camera said (EXIF orientation),
cropped to a square around the centre, with no metadata at all (no GPS position, no camera, no
date). A file Pillow cannot read, a format it was not asked for, or an image with more pixels
than a photo needs is a form error; Pillow's decompression-bomb guard stays on behind our own
limit, and its warning counts as an error too.
"""

import io
import warnings
from typing import IO, Any, cast

from django import forms
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
# 32 megapixels: more than any phone's photo in its usual setting, and decoding it stays within
# what a web process can afford (a PNG this size is 128 MB once decoded).
MAX_PIXELS = 32_000_000
FORMATS = ("JPEG", "PNG", "WEBP")
SIDE = 400
QUALITY = 85
ACCEPT = "image/jpeg,image/png,image/webp"

TOO_BIG = _("The photo is larger than 5 MB: choose a smaller one.")
TOO_MANY_PIXELS = _("The photo has too many pixels (at most 32 megapixels): choose a smaller one.")
NOT_AN_IMAGE = _("This file is not a JPEG, PNG or WebP image.")
BROKEN = _("This image cannot be read: it may be damaged. Choose another file.")


class PhotoField(forms.FileField):
    """Cleans to a ready-to-store ``ContentFile`` (a square JPEG), or None when none was sent."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.FileInput(attrs={"accept": ACCEPT}))
        super().__init__(**kwargs)

    def to_python(self, data: Any) -> ContentFile | None:
        upload = super().to_python(data)
        if upload is None:
            return None
        if upload.size is None or upload.size > MAX_BYTES:
            raise forms.ValidationError(TOO_BIG, code="too_big")
        # Django's File proxies the file methods Pillow reads with (read, seek, tell).
        return ContentFile(square_jpeg(cast(IO[bytes], upload)), name="photo.jpg")


def square_jpeg(upload: IO[bytes]) -> bytes:
    """The upload as a SIDExSIDE JPEG without metadata; a ValidationError if it is no photo."""
    upload.seek(0)
    with warnings.catch_warnings():
        # Pillow only warns between its limit and twice it; here that is a refusal as well.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(upload, formats=FORMATS)
            _check_pixels(image)
            # A JPEG can be decoded at a half, a quarter or an eighth of its size: much less
            # memory and time for a picture that ends up 400 pixels wide.
            image.draft("RGB", (SIDE * 2, SIDE * 2))
            return _encode(_square(image))
        except forms.ValidationError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise forms.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels") from None
        except UnidentifiedImageError:
            raise forms.ValidationError(NOT_AN_IMAGE, code="not_an_image") from None
        except Exception:
            # A damaged or crafted file makes Pillow's decoders raise all kinds of errors
            # (OSError for a truncated file, SyntaxError, ValueError, struct.error…): each of
            # them is the same answer for the person, never a server error.
            raise forms.ValidationError(BROKEN, code="broken") from None


def _check_pixels(image: Image.Image) -> None:
    """Read from the header, before anything is decoded."""
    if image.width * image.height > MAX_PIXELS:
        raise forms.ValidationError(TOO_MANY_PIXELS, code="too_many_pixels")


def _square(image: Image.Image) -> Image.Image:
    upright = ImageOps.exif_transpose(image)
    if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
        # Transparent parts become white, as on the page, rather than black.
        rgba = upright.convert("RGBA")
        background = Image.new("RGBA", rgba.size, "white")
        upright = Image.alpha_composite(background, rgba)
    square = ImageOps.fit(upright.convert("RGB"), (SIDE, SIDE), Image.Resampling.LANCZOS)
    # A new image holds the pixels and nothing else: no EXIF, ICC profile, XMP or comment can
    # follow it into the file.
    clean = Image.new("RGB", square.size)
    clean.paste(square)
    return clean


def _encode(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True)
    return out.getvalue()
