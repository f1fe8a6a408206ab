"""Photos from the public: decoded and written again, so nothing but the pixels survives (no EXIF, no GPS
location, no embedded thumbnails or scripts)."""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 4096
Image.MAX_IMAGE_PIXELS = 60_000_000  # refuse decompression bombs rather than warn


class NotAnImage(ValueError):
    pass


def reencode_photo(data: bytes) -> bytes:
    """A JPEG of the photo, upright (by its EXIF orientation), at most MAX_SIDE pixels a side, with no
    metadata; NotAnImage when it cannot be decoded."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(data)) as original:
            image = ImageOps.exif_transpose(original)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            if image.mode in ("RGBA", "LA", "P"):
                image = image.convert("RGBA")
                flat = Image.new("RGB", image.size, "white")
                flat.paste(image, mask=image.getchannel("A"))
                image = flat
            elif image.mode != "RGB":
                image = image.convert("RGB")
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85, optimize=True)  # no exif=, no icc: nothing carried over
            return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise NotAnImage(str(exc)) from exc
