"""Pictures for the demo publication, drawn locally with Pillow.

Every picture is an illustration made from simple shapes (skylines, hills, a harbour,
a debating chamber, charts, orbits, a stage, a playing field), so the demo needs no
photographs and no network. Each drawing also returns a sentence that describes it,
which the loader uses as the image's alt text.
"""

from __future__ import annotations

import colorsys
import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

Color = tuple[int, int, int]

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSerif-Bold.ttf",
)


@dataclass(frozen=True)
class Picture:
    """An encoded picture and the words that describe it."""

    data: bytes
    width: int
    height: int
    alt: str
    extension: str = "jpg"

    @property
    def caption(self) -> str:
        """A caption that says what is drawn: "Illustration: four sailing boats …"."""
        what = self.alt
        for prefix in ("Abstract illustration of ", "Illustration of "):
            if what.startswith(prefix):
                kind = "Abstract illustration" if prefix[0] == "A" else "Illustration"
                return f"{kind}: {what[len(prefix) :]}."
        return f"{what}."


def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A bold serif when the system has one, else Pillow's bundled font."""
    for candidate in _FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def hsl(h: float, s: float, lightness: float) -> Color:
    r, g, b = colorsys.hls_to_rgb(h % 1.0, lightness, s)
    return int(r * 255), int(g * 255), int(b * 255)


def _colour_word(hue: float) -> str:
    words = (
        (0.04, "red"),
        (0.11, "orange"),
        (0.17, "amber"),
        (0.24, "yellow-green"),
        (0.42, "green"),
        (0.52, "teal"),
        (0.62, "blue"),
        (0.75, "indigo"),
        (0.88, "violet"),
        (1.01, "rose"),
    )
    hue %= 1.0
    for limit, word in words:
        if hue < limit:
            return word
    return "red"


_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")


def _number(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else str(n)


def _a(word: str) -> str:
    """``word`` with its indefinite article: "an amber", "a teal"."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _gradient(img: Image.Image, top: Color, bottom: Color, *, stop: int) -> None:
    """Fill rows 0..stop of ``img`` with a vertical gradient from top to bottom."""
    column = Image.new("RGB", (1, stop))
    span = max(1, stop - 1)
    pairs = list(zip(top, bottom, strict=True))
    column.putdata(
        [tuple(int(a + (b - a) * y / span) for a, b in pairs) for y in range(stop)]
    )
    img.paste(column.resize((img.width, stop), Image.Resampling.NEAREST), (0, 0))


def _encode(img: Image.Image, alt: str) -> Picture:
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", quality=82)
    return Picture(buffer.getvalue(), img.width, img.height, alt)


# --- Compositions -------------------------------------------------------------
# Each takes a random generator and a size, and returns (image, description).


def skyline(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.random()
    dusk = rng.random() < 0.5
    img = Image.new("RGB", (w, h))
    sky_top = hsl(hue, 0.55, 0.18 if dusk else 0.55)
    sky_bottom = hsl(hue + 0.08, 0.7, 0.55 if dusk else 0.85)
    _gradient(img, sky_top, sky_bottom, stop=h)
    draw = ImageDraw.Draw(img)
    sun_x, sun_y, r = rng.randint(w // 5, w * 4 // 5), int(h * 0.35), h // 9
    draw.ellipse([sun_x - r, sun_y - r, sun_x + r, sun_y + r], fill=(255, 226, 170))
    for layer in range(3):
        shade = hsl(hue + 0.5, 0.25, 0.32 - layer * 0.09)
        x = -rng.randint(0, 60)
        while x < w:
            bw = rng.randint(w // 30, w // 12)
            bh = rng.randint(
                int(h * (0.18 + layer * 0.08)), int(h * (0.4 + layer * 0.1))
            )
            draw.rectangle([x, h - bh, x + bw, h], fill=shade)
            if layer == 2:
                for wy in range(h - bh + 18, h - 12, 26):
                    for wx in range(x + 8, x + bw - 8, 18):
                        if rng.random() < 0.35:
                            draw.rectangle(
                                [wx, wy, wx + 7, wy + 11], fill=(250, 214, 120)
                            )
            x += bw + rng.randint(0, 14)
    when = "at dusk" if dusk else "in daylight"
    return (
        img,
        f"Illustration of a city skyline {when} under {_a(_colour_word(hue))} sky",
    )


def hills(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.random()
    img = Image.new("RGB", (w, h))
    _gradient(img, hsl(hue, 0.5, 0.7), hsl(hue + 0.1, 0.6, 0.9), stop=h)
    draw = ImageDraw.Draw(img)
    layers = 5
    for i in range(layers):
        base = h * (0.45 + i * 0.11)
        amp = h * (0.08 - i * 0.01)
        freq = rng.uniform(1.5, 3.5)
        phase = rng.uniform(0, math.tau)
        pts = [
            (x, base - amp * math.sin(freq * x / w * math.tau + phase))
            for x in range(0, w + 20, 20)
        ]
        colour = hsl(hue + 0.35, 0.35, 0.55 - i * 0.09)
        draw.polygon([(0, h), *pts, (w, h)], fill=colour)
    return img, f"Illustration of rolling {_colour_word(hue + 0.35)} hills in layers"


def harbour(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.uniform(0.5, 0.65)
    img = Image.new("RGB", (w, h))
    horizon = int(h * 0.55)
    _gradient(img, hsl(hue, 0.45, 0.75), hsl(hue + 0.05, 0.5, 0.9), stop=horizon)
    draw = ImageDraw.Draw(img)
    for y in range(horizon, h, 6):
        t = (y - horizon) / (h - horizon)
        draw.rectangle([0, y, w, y + 6], fill=hsl(hue, 0.55, 0.45 - t * 0.25))
    boats = rng.randint(3, 6)
    for _ in range(boats):
        x = rng.randint(50, w - 250)
        y = rng.randint(horizon + 30, h - 120)
        size = rng.randint(60, 140)
        hull = hsl(rng.random(), 0.6, 0.4)
        draw.polygon(
            [
                (x, y),
                (x + size * 2, y),
                (x + size * 1.7, y + size // 3),
                (x + size * 0.3, y + size // 3),
            ],
            fill=hull,
        )
        draw.polygon(
            [(x + size, y - size * 1.4), (x + size, y - 4), (x + size * 1.8, y - 4)],
            fill=(245, 242, 235),
        )
    pier_y = horizon - 10
    draw.rectangle([0, pier_y, w // 3, pier_y + 24], fill=(70, 60, 55))
    for px in range(20, w // 3, 70):
        draw.rectangle([px, pier_y, px + 10, horizon + 60], fill=(60, 50, 45))
    return (
        img,
        f"Illustration of {_number(boats)} sailing boats in a harbour beside a "
        f"wooden pier, under a pale {_colour_word(hue)} sky",
    )


def chamber(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.random()
    img = Image.new("RGB", (w, h))
    _gradient(img, hsl(hue, 0.35, 0.8), hsl(hue, 0.3, 0.95), stop=h)
    draw = ImageDraw.Draw(img)
    stone = hsl(hue + 0.1, 0.12, 0.82)
    shadow = hsl(hue + 0.1, 0.15, 0.6)
    left, right = int(w * 0.18), int(w * 0.82)
    top = int(h * 0.3)
    draw.polygon(
        [(left - 40, top), (w // 2, int(h * 0.1)), (right + 40, top)],
        fill=stone,
        outline=shadow,
    )
    draw.rectangle([left - 40, top, right + 40, top + 40], fill=shadow)
    columns = 8
    step = (right - left) / (columns - 1)
    for i in range(columns):
        cx = int(left + i * step)
        draw.rectangle(
            [cx - 22, top + 40, cx + 22, int(h * 0.8)], fill=stone, outline=shadow
        )
    for i in range(4):
        y = int(h * 0.8) + i * 30
        draw.rectangle(
            [left - 80 - i * 40, y, right + 80 + i * 40, y + 30],
            fill=stone,
            outline=shadow,
        )
    flag = hsl(rng.random(), 0.7, 0.45)
    draw.line(
        [(w // 2, int(h * 0.1)), (w // 2, int(h * 0.1) - 120)],
        fill=(60, 60, 60),
        width=6,
    )
    draw.rectangle(
        [w // 2, int(h * 0.1) - 120, w // 2 + 90, int(h * 0.1) - 65], fill=flag
    )
    return img, (
        f"Illustration of a columned assembly building under a pale {_colour_word(hue)}"
        " sky"
    )


def chart(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.random()
    img = Image.new("RGB", (w, h), hsl(hue, 0.25, 0.96))
    draw = ImageDraw.Draw(img)
    for y in range(int(h * 0.15), int(h * 0.9), 80):
        draw.line([(w * 0.08, y), (w * 0.95, y)], fill=hsl(hue, 0.15, 0.85), width=2)
    n = rng.randint(8, 14)
    bar_w = (w * 0.8) / n
    value = rng.uniform(0.3, 0.6)
    rising = rng.random() < 0.6
    points = []
    for i in range(n):
        value = min(
            0.95, max(0.1, value + rng.uniform(-0.08, 0.12 if rising else 0.04))
        )
        x0 = w * 0.1 + i * bar_w
        y0 = h * 0.9 - value * h * 0.7
        draw.rectangle([x0 + 6, y0, x0 + bar_w - 6, h * 0.9], fill=hsl(hue, 0.55, 0.5))
        points.append((x0 + bar_w / 2, y0 - 40))
    draw.line(points, fill=hsl(hue + 0.5, 0.7, 0.4), width=8, joint="curve")
    trend = "a rising" if rising else "an uneven"
    return (
        img,
        f"Illustration of {_a(_colour_word(hue))} bar chart with {trend} trend line",
    )


def orbits(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.random()
    img = Image.new("RGB", (w, h))
    _gradient(img, hsl(hue, 0.5, 0.08), hsl(hue + 0.1, 0.5, 0.22), stop=h)
    draw = ImageDraw.Draw(img)
    for _ in range(220):
        x, y = rng.randint(0, w), rng.randint(0, h)
        draw.point((x, y), fill=(230, 230, 240))
    cx, cy = rng.randint(w // 3, w * 2 // 3), h // 2
    nodes = []
    rings = rng.randint(3, 5)
    for i in range(rings):
        rx, ry = 160 + i * 110, 70 + i * 45
        draw.ellipse(
            [cx - rx, cy - ry, cx + rx, cy + ry],
            outline=hsl(hue + 0.4, 0.6, 0.7),
            width=3,
        )
        angle = rng.uniform(0, math.tau)
        nodes.append((cx + rx * math.cos(angle), cy + ry * math.sin(angle)))
    draw.ellipse([cx - 60, cy - 60, cx + 60, cy + 60], fill=hsl(hue + 0.12, 0.8, 0.6))
    for nx, ny in nodes:
        draw.ellipse(
            [nx - 22, ny - 22, nx + 22, ny + 22], fill=hsl(hue + 0.55, 0.7, 0.65)
        )
    return (
        img,
        f"Illustration of a glowing sphere circled by {_number(rings)} orbits, "
        "each with a small moon, against a starry sky",
    )


def molecule(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.random()
    img = Image.new("RGB", (w, h), hsl(hue, 0.3, 0.94))
    draw = ImageDraw.Draw(img)
    atoms = [(rng.randint(150, w - 150), rng.randint(120, h - 120)) for _ in range(14)]
    for i, a in enumerate(atoms):
        nearest = sorted(atoms, key=lambda b: (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2)[
            1:3
        ]
        for b in nearest:
            draw.line([a, b], fill=hsl(hue, 0.2, 0.55), width=10)
        r = rng.randint(30, 60)
        draw.ellipse(
            [a[0] - r, a[1] - r, a[0] + r, a[1] + r],
            fill=hsl(hue + (0.3 if i % 3 else 0.6), 0.6, 0.5),
        )
    return (
        img,
        f"Illustration of a molecular model with {_colour_word(hue + 0.3)} atoms",
    )


def stage(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.choice([0.0, 0.95, 0.6, 0.75])
    img = Image.new("RGB", (w, h), (18, 16, 24)).convert("RGBA")
    glow = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    gdraw = ImageDraw.Draw(glow)
    for _ in range(rng.randint(2, 3)):
        x = rng.randint(w // 4, w * 3 // 4)
        gdraw.polygon(
            [(x - 30, 0), (x + 30, 0), (x + 260, h), (x - 260, h)],
            fill=(*hsl(rng.random(), 0.6, 0.8), 70),
        )
    # Blur a small copy and scale it up: the same soft beams at a fraction of the cost.
    small = glow.resize((w // 8, h // 8)).filter(ImageFilter.GaussianBlur(2))
    img = Image.alpha_composite(img, small.resize((w, h), Image.Resampling.BILINEAR))
    draw = ImageDraw.Draw(img)
    curtain = hsl(hue, 0.65, 0.35)
    for side in (0, 1):
        for i in range(10):
            x = i * 28 if side == 0 else w - (i + 1) * 28
            shade = tuple(max(0, c - (i % 2) * 25) for c in curtain)
            draw.rectangle([x, 0, x + 28, h], fill=shade)
    draw.rectangle([0, 0, w, 70], fill=curtain)
    draw.rectangle([0, int(h * 0.85), w, h], fill=(70, 48, 32))
    fx = w // 2 + rng.randint(-200, 200)
    draw.ellipse([fx - 45, int(h * 0.42), fx + 45, int(h * 0.52)], fill=(10, 10, 12))
    draw.polygon(
        [
            (fx - 90, int(h * 0.85)),
            (fx - 50, int(h * 0.52)),
            (fx + 50, int(h * 0.52)),
            (fx + 90, int(h * 0.85)),
        ],
        fill=(10, 10, 12),
    )
    return img.convert("RGB"), (
        "Illustration of a performer in a spotlight between"
        f" {_colour_word(hue)} curtains"
    )


def pitch(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.uniform(0.26, 0.36)
    img = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(img)
    stripes = 12
    for i in range(stripes):
        draw.rectangle(
            [i * w / stripes, 0, (i + 1) * w / stripes, h],
            fill=hsl(hue, 0.5, 0.36 if i % 2 else 0.42),
        )
    white = (240, 240, 235)
    draw.rectangle([60, 60, w - 60, h - 60], outline=white, width=6)
    draw.line([(w // 2, 60), (w // 2, h - 60)], fill=white, width=6)
    draw.ellipse(
        [w // 2 - 150, h // 2 - 150, w // 2 + 150, h // 2 + 150], outline=white, width=6
    )
    draw.rectangle([60, h // 2 - 200, 300, h // 2 + 200], outline=white, width=6)
    draw.rectangle(
        [w - 300, h // 2 - 200, w - 60, h // 2 + 200], outline=white, width=6
    )
    bx, by = rng.randint(w // 4, w * 3 // 4), rng.randint(h // 4, h * 3 // 4)
    draw.ellipse(
        [bx - 26, by - 26, bx + 26, by + 26], fill=white, outline=(30, 30, 30), width=3
    )
    return (
        img,
        "Illustration of a football pitch seen from above, with the ball "
        + ("near the top" if by < h // 2 else "near the bottom")
        + (" of the left half" if bx < w // 2 else " of the right half"),
    )


def track(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.uniform(0.0, 0.08)
    img = Image.new("RGB", (w, h), hsl(hue, 0.55, 0.45))
    draw = ImageDraw.Draw(img)
    vanish = (w // 2 + rng.randint(-200, 200), int(h * 0.1))
    lanes = 8
    for i in range(lanes + 1):
        x = -w // 2 + i * (2 * w) / lanes
        draw.line([vanish, (x, h)], fill=(245, 245, 245), width=5)
    draw.rectangle([0, 0, w, int(h * 0.1)], fill=hsl(0.58, 0.4, 0.7))
    for k in range(1, 5):
        y = int(h * 0.1) + int((h * 0.9) * (k / 5) ** 1.6)
        draw.line([(0, y), (w, y)], fill=hsl(hue, 0.5, 0.4), width=2)
    side = ", left of centre" if vanish[0] < w // 2 - 60 else ", right of centre"
    if abs(vanish[0] - w // 2) <= 60:
        side = ""
    return (
        img,
        f"Illustration of eight {_colour_word(hue)} running-track lanes "
        f"converging towards the horizon{side}",
    )


def mosaic(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.random()
    img = Image.new("RGB", (w, h))
    draw = ImageDraw.Draw(img)
    size = rng.choice([100, 150, 200])
    for y in range(0, h, size):
        for x in range(0, w, size):
            colour = hsl(
                hue + rng.uniform(-0.08, 0.08),
                rng.uniform(0.4, 0.7),
                rng.uniform(0.35, 0.75),
            )
            draw.rectangle([x, y, x + size, y + size], fill=colour)
            if rng.random() < 0.4:
                draw.ellipse(
                    [x + 12, y + 12, x + size - 12, y + size - 12],
                    fill=hsl(hue + 0.5, 0.5, 0.6),
                )
    return img, f"Abstract illustration of {_colour_word(hue)} tiles and circles"


def map_shapes(rng: random.Random, w: int, h: int) -> tuple[Image.Image, str]:
    hue = rng.uniform(0.5, 0.62)
    img = Image.new("RGB", (w, h), hsl(hue, 0.45, 0.62))
    draw = ImageDraw.Draw(img)
    for x in range(0, w, 100):
        draw.line([(x, 0), (x, h)], fill=hsl(hue, 0.35, 0.68), width=2)
    for y in range(0, h, 100):
        draw.line([(0, y), (w, y)], fill=hsl(hue, 0.35, 0.68), width=2)
    islands = rng.randint(3, 5)
    for _ in range(islands):
        cx, cy = rng.randint(100, w - 100), rng.randint(100, h - 100)
        base = rng.randint(90, 260)
        pts = []
        for k in range(18):
            angle = k / 18 * math.tau
            radius = base * rng.uniform(0.65, 1.25)
            pts.append(
                (cx + radius * math.cos(angle) * 1.4, cy + radius * math.sin(angle))
            )
        draw.polygon(
            pts, fill=hsl(rng.uniform(0.1, 0.3), 0.35, 0.7), outline=hsl(0.1, 0.3, 0.4)
        )
    px, py = rng.randint(200, w - 200), rng.randint(200, h - 200)
    draw.ellipse(
        [px - 18, py - 18, px + 18, py + 18],
        fill=(200, 40, 40),
        outline=(255, 255, 255),
        width=5,
    )
    return (
        img,
        f"Illustration of a sea chart of {_number(islands)} islands in "
        f"{_a(_colour_word(hue))} sea, with one spot marked in red",
    )


COMPOSITIONS: dict[
    str, Callable[[random.Random, int, int], tuple[Image.Image, str]]
] = {
    "skyline": skyline,
    "hills": hills,
    "harbour": harbour,
    "chamber": chamber,
    "chart": chart,
    "orbits": orbits,
    "molecule": molecule,
    "stage": stage,
    "pitch": pitch,
    "track": track,
    "mosaic": mosaic,
    "map": map_shapes,
}


def scene(kind: str, *, seed: int, width: int = 1600, height: int = 900) -> Picture:
    """Draw the composition ``kind`` (see COMPOSITIONS), the same for the same seed."""
    rng = random.Random(seed)
    img, alt = COMPOSITIONS[kind](rng, width, height)
    return _encode(img, alt)


# --- Identity: logo, favicon, portraits -----------------------------------------


def logo(
    name: str, *, colour: Color, text: Color | None = None, height: int = 240
) -> Picture:
    """A wordmark: a lantern-like emblem and the publication's name (PNG).

    ``text`` colours the name (default: ``colour``); a light one makes the
    variant for dark mode.
    """
    face = font(int(height * 0.42))
    emblem = height - 40
    text_width = int(face.getlength(name))
    width = 20 + emblem + 36 + text_width + 24
    img = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    x0, y0 = 20, 20
    draw.rounded_rectangle(
        [x0, y0, x0 + emblem, y0 + emblem], radius=emblem // 5, fill=colour
    )
    draw.ellipse(
        [x0 + emblem * 0.28, y0 + emblem * 0.2, x0 + emblem * 0.72, y0 + emblem * 0.8],
        fill=(255, 214, 120),
    )
    draw.rectangle(
        [x0 + emblem * 0.4, y0 + emblem * 0.08, x0 + emblem * 0.6, y0 + emblem * 0.2],
        fill=(255, 255, 255),
    )
    draw.text(
        (x0 + emblem + 36, height // 2),
        name,
        font=face,
        fill=text or colour,
        anchor="lm",
    )
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", optimize=True)
    return Picture(buffer.getvalue(), width, height, f"{name} logo", "png")


def favicon(initial: str, *, colour: Color, size: int = 512) -> Picture:
    """A square icon with the publication's initial (PNG)."""
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle([0, 0, size - 1, size - 1], radius=size // 5, fill=colour)
    draw.text(
        (size // 2, size // 2),
        initial,
        font=font(int(size * 0.68)),
        fill=(255, 255, 255),
        anchor="mm",
    )
    buffer = io.BytesIO()
    img.save(buffer, format="PNG", optimize=True)
    return Picture(buffer.getvalue(), size, size, f"{initial} icon", "png")


def portrait(name: str, *, seed: int, size: int = 800) -> Picture:
    """A coloured head-and-shoulders silhouette with the person's initials."""
    rng = random.Random(seed)
    hue = rng.random()
    img = Image.new("RGB", (size, size))
    _gradient(img, hsl(hue, 0.45, 0.78), hsl(hue + 0.06, 0.5, 0.6), stop=size)
    draw = ImageDraw.Draw(img)
    figure = hsl(hue + 0.5, 0.25, 0.28)
    head = size * 0.19
    cx, cy = size / 2, size * 0.4
    draw.ellipse(
        [cx - size * 0.36, size * 0.66, cx + size * 0.36, size * 1.25], fill=figure
    )
    draw.rectangle(
        [cx - head * 0.45, cy + head * 0.6, cx + head * 0.45, size * 0.72], fill=figure
    )
    draw.ellipse(
        [cx - head, cy - head * 1.15, cx + head, cy + head * 1.15], fill=figure
    )
    initials = "".join(part[0] for part in name.split()[:2]).upper()
    draw.text(
        (cx, size * 0.86),
        initials,
        font=font(int(size * 0.13)),
        fill=(255, 255, 255),
        anchor="mm",
    )
    return _encode(img, f"Illustrated portrait of {name}")
