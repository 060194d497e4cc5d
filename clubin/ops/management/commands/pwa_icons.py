"""Draw the icons a phone shows when ClubIN is added to its home screen (the web app manifest).

The mark is the favicon's: "IN" in white on ClubIN blue. The PNGs are committed; run this again
only to change the mark: `python manage.py pwa_icons`.
"""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw, ImageFont

BLUE = "#1565c0"
FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "dejavu-2.37" / "DejaVuSans-Bold.ttf"
ICONS = Path(settings.BASE_DIR) / "static" / "icons"


def draw_mark(size: int, *, maskable: bool) -> Image.Image:
    """A rounded blue square with "IN"; a maskable icon fills the square edge to edge and keeps
    the letters inside the central safe zone (a circle of 80% of the side)."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if maskable:
        draw.rectangle((0, 0, size, size), fill=BLUE)
    else:
        draw.rounded_rectangle((0, 0, size - 1, size - 1), radius=size // 5, fill=BLUE)
    font = ImageFont.truetype(str(FONT), int(size * (0.34 if maskable else 0.46)))
    draw.text((size / 2, size / 2), "IN", font=font, fill="white", anchor="mm")
    return image


class Command(BaseCommand):
    help = "Draw static/icons/icon-192.png, icon-512.png and icon-maskable-512.png."

    def handle(self, *args: Any, **options: Any) -> None:
        ICONS.mkdir(parents=True, exist_ok=True)
        for name, size, maskable in (
            ("icon-192.png", 192, False),
            ("icon-512.png", 512, False),
            ("icon-maskable-512.png", 512, True),
        ):
            draw_mark(size, maskable=maskable).save(ICONS / name, optimize=True)
            self.stdout.write(f"static/icons/{name}")
