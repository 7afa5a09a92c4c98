"""Header images of letters: whatever owners upload is opened with Pillow and re-encoded, so
what is served is a plain raster image of a sensible size (no SVG script, no camera
metadata, no 30-megapixel photo on a phone)."""

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_WIDTH, MAX_HEIGHT = 1600, 800


def reencode(upload) -> tuple[bytes, str]:
    """(image bytes, content type) from an uploaded file, or ValidationError."""
    if upload.size > MAX_BYTES:
        raise ValidationError(_("The image must be smaller than 5 MB."))
    try:
        with Image.open(upload) as image:
            image.load()
            image.thumbnail((MAX_WIDTH, MAX_HEIGHT))
            alpha = image.mode in ("RGBA", "LA") or "transparency" in image.info
            output = io.BytesIO()
            if alpha:
                image.convert("RGBA").save(output, format="PNG", optimize=True)
                return output.getvalue(), "image/png"
            image.convert("RGB").save(output, format="JPEG", quality=85, optimize=True)
            return output.getvalue(), "image/jpeg"
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValidationError(
            _("This file is not an image we can read (PNG, JPEG, WebP or GIF).")
        ) from exc
