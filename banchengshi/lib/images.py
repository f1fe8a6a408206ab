"""Photos and images from people: decoded and written again, so nothing but the pixels survives (no EXIF,
no GPS location, no embedded thumbnails or scripts, nothing appended after the image)."""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_SIDE = 4096
# Refuse decompression bombs: more pixels than this is refused (Pillow alone would only warn up to twice it).
Image.MAX_IMAGE_PIXELS = 60_000_000


class NotAnImage(ValueError):
    pass


def reencode_image(data: bytes, fmt: str = "JPEG") -> bytes:
    """The image as a new JPEG or PNG (fmt), upright (by its EXIF orientation), at most MAX_SIDE pixels a
    side, with no metadata; NotAnImage when it cannot be decoded or is a decompression bomb."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()
            with Image.open(io.BytesIO(data)) as original:
                image = ImageOps.exif_transpose(original)
                image.thumbnail((MAX_SIDE, MAX_SIDE))
                image.info = {}  # Pillow writes an ICC profile, EXIF or text chunks it finds here: none
                out = io.BytesIO()
                if fmt == "PNG":
                    if image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                        image = image.convert("RGBA")
                    image.save(out, "PNG", optimize=True)  # no pnginfo=, no icc: no text chunks carried over
                    return out.getvalue()
                if image.mode in ("RGBA", "LA", "P"):
                    image = image.convert("RGBA")
                    flat = Image.new("RGB", image.size, "white")
                    flat.paste(image, mask=image.getchannel("A"))
                    image = flat
                elif image.mode != "RGB":
                    image = image.convert("RGB")
                image.save(out, "JPEG", quality=85, optimize=True)  # no exif=, no icc: nothing carried over
                return out.getvalue()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        raise NotAnImage(str(exc)) from exc

