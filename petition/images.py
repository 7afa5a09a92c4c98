"""Header images of letters: whatever owners upload is opened with Pillow and re-encoded, so
what is served is a plain raster image of a sensible size (no SVG script, no camera
metadata, no 30-megapixel photo on a phone), turned the way the camera meant."""

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # checked from the header, before anything is decoded
MAX_WIDTH, MAX_HEIGHT = 1600, 800
MAX_STORED = 1024 * 1024  # a re-encoded PNG larger than this is stored as a JPEG instead


def reencode(upload) -> tuple[bytes, str]:
    """(image bytes, content type) from an uploaded file, or ValidationError."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The image must be smaller than 5 MB."))
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise ValidationError(_("The image is too large: at most 40 megapixels."))
            image.draft("RGB", (MAX_WIDTH, MAX_HEIGHT))  # JPEG: decode at a fraction
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_WIDTH, MAX_HEIGHT))
            alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
            if alpha:
                png = io.BytesIO()
                image.convert("RGBA").save(png, format="PNG", optimize=True)
                if png.tell() <= MAX_STORED:
                    return png.getvalue(), "image/png"
                flat = Image.new("RGB", image.size, "white")
                flat.paste(image.convert("RGBA"), mask=image.convert("RGBA").getchannel("A"))
                image = flat
            jpeg = io.BytesIO()
            image.convert("RGB").save(jpeg, format="JPEG", quality=85, optimize=True)
            return jpeg.getvalue(), "image/jpeg"
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not an image we can read (PNG, JPEG, WebP or GIF).")
        ) from exc
