"""The benchmark card (benches/card.rs) drawn by Pillow, the usual Python way, timed the same
way: from the photo's JPEG bytes (decoded every time) and the text to the encoded JPEG in memory,
fonts loaded once. The peer of `cargo bench --bench card -- card/jpeg` in
benches/compare-pillow, which runs both in one go and prints the ratio.

Usage: python3 benches/pillow_card.py [ITERATIONS]   (prints the median in milliseconds)
"""
import io
import pathlib
import statistics
import sys
import time

from PIL import Image, ImageDraw, ImageFont

ROOT = pathlib.Path(__file__).resolve().parent.parent
WIDTH, HEIGHT, MARGIN = 1200, 630, 64
TITLE = "Microsoft investit 2,9 milliards de dollars dans l\u2019IA au Japon"
CATEGORY = "CHIFFRES"
SITE = "Le Quotidien Numérique"

JPEG = (ROOT / "benches/data/lead.jpg").read_bytes()
BOLD = str(ROOT / "fonts/NotoSans-Bold.subset.ttf")
TITLE_FONT = ImageFont.truetype(BOLD, 64)
PILL_FONT = ImageFont.truetype(BOLD, 22)
FOOTER_FONT = ImageFont.truetype(BOLD, 28)
# The scrim: transparent at the top half, to 85 % black at the bottom (one column, stretched).
SCRIM = Image.new("L", (1, HEIGHT))
SCRIM.putdata([int(max(0.0, (y / HEIGHT - 0.3) / 0.7) * 0.85 * 255) for y in range(HEIGHT)])
SCRIM = SCRIM.resize((WIDTH, HEIGHT))
BLACK = Image.new("RGB", (WIDTH, HEIGHT), (0, 0, 0))


def wrap(draw, text, font, width):
    """Greedy lines, as the browser fills them."""
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return lines + [line]


def card():
    photo = Image.open(io.BytesIO(JPEG))
    photo.load()
    photo = photo.convert("RGB")
    scale = max(WIDTH / photo.width, HEIGHT / photo.height)
    size = (round(photo.width * scale), round(photo.height * scale))
    photo = photo.resize(size, Image.Resampling.BICUBIC)
    left, top = (size[0] - WIDTH) // 2, (size[1] - HEIGHT) // 2
    image = photo.crop((left, top, left + WIDTH, top + HEIGHT))
    image = Image.composite(BLACK, image, SCRIM)
    draw = ImageDraw.Draw(image)
    pill_width = draw.textlength(CATEGORY, font=PILL_FONT) + 2 * 20
    draw.rounded_rectangle((MARGIN, 56, MARGIN + pill_width, 56 + 44), radius=22, fill=(228, 0, 43))
    draw.text((MARGIN + 20, 56 + 22), CATEGORY, font=PILL_FONT, fill="white", anchor="lm")
    lines = wrap(draw, TITLE, TITLE_FONT, WIDTH - 2 * MARGIN)
    y = 630 - 76 - 40 - len(lines) * 76
    for line in lines:
        draw.text((MARGIN, y + 38), line, font=TITLE_FONT, fill="white", anchor="lm")
        y += 76
    draw.text((MARGIN, 630 - 56), SITE, font=FOOTER_FONT, fill=(255, 255, 255), anchor="lm")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    card()  # warm up
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        card()
        times.append((time.perf_counter() - started) * 1000)
    print(f"{statistics.median(times):.2f}")


if __name__ == "__main__":
    main()
