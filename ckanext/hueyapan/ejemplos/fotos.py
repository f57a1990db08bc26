"""The files of the example data, drawn with Pillow: a JPEG "photo" of the works or a one-page
PDF document, both plainly synthetic and stamped with :data:`~.relatos.MARCA`.
"""
from __future__ import annotations

import io
import textwrap
import unicodedata

from PIL import Image, ImageDraw, ImageFont

from ckanext.hueyapan.ejemplos.relatos import MARCA, Archivo

__all__ = ["draw"]


# --- drawing ------------------------------------------------------------------------------------

def _fuente(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    """DejaVu Sans when the system has it (accents), else Pillow's own font."""
    try:
        return ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        return ImageFont.load_default(size=size)


def _texto(draw: ImageDraw.ImageDraw, xy: tuple[float, float], text: str, size: int,
           fill: tuple[int, int, int]) -> None:
    font = _fuente(size)
    if not isinstance(font, ImageFont.FreeTypeFont) or "DejaVu" not in (font.getname()[0] or ""):
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    draw.text(xy, text, font=font, fill=fill)


def _sello(draw: ImageDraw.ImageDraw, width: int, y: int) -> None:
    text = MARCA.upper()
    box = draw.textbbox((0, 0), text, font=_fuente(44))
    x = (width - (box[2] - box[0])) // 2
    draw.rectangle((x - 20, y - 12, x + box[2] - box[0] + 20, y + box[3] - box[1] + 24),
                   outline=(190, 20, 20), width=6, fill=(255, 255, 255))
    _texto(draw, (x, y), text, 44, (190, 20, 20))


def _escena(draw: ImageDraw.ImageDraw, escena: str, avance: float) -> None:
    """Flat shapes of the kind of work, as far built as ``avance`` (0 to 1)."""
    gris, concreto, azul = (110, 110, 110), (200, 195, 180), (80, 110, 140)
    if escena == "zanja":
        draw.rectangle((0, 430, 960, 470), fill=(90, 70, 50))
        draw.rectangle((0, 440, int(960 * avance), 456), fill=(230, 230, 230), outline=gris)
        for x in range(80, int(960 * avance), 220):
            draw.ellipse((x, 410, x + 50, 440), fill=concreto, outline=gris, width=3)
    elif escena == "camino":
        draw.polygon([(380, 380), (580, 380), (900, 600), (60, 600)], fill=(120, 100, 80))
        top = 600 - int(220 * avance)
        draw.polygon([(380 + (600 - top) // 3, top), (580 - (600 - top) // 3, top), (900, 600),
                      (60, 600)], fill=(190, 190, 185))
    elif escena == "postes":
        for i, x in enumerate(range(80, 960, 160)):
            if i / 6 < avance:
                draw.rectangle((x, 200, x + 12, 420), fill=(120, 90, 60))
                draw.line((x - 30, 215, x + 42, 215), fill=gris, width=6)
        draw.line((86, 215, 86 + int(880 * avance), 215), fill=(40, 40, 40), width=2)
    elif escena == "muro":
        draw.polygon([(0, 380), (420, 200), (960, 380)], fill=(150, 120, 80))
        for row in range(int(6 * avance)):
            for x in range(200 - (row % 2) * 40, 760, 80):
                draw.rectangle((x, 440 - row * 30, x + 76, 466 - row * 30), fill=concreto,
                               outline=gris)
    elif escena == "entrega":
        draw.rectangle((160, 330, 800, 360), fill=(140, 100, 60))
        for x in range(190, 770, 95):
            draw.rectangle((x, 270, x + 80, 330), fill=(220, 190, 120), outline=gris, width=3)
    else:  # edificio
        height = int(170 * max(avance, 0.2))
        draw.rectangle((200, 470 - height, 760, 470), fill=concreto, outline=gris, width=4)
        if avance >= 0.8:
            draw.polygon([(170, 470 - height), (480, 470 - height - 90), (790, 470 - height)],
                         fill=(170, 70, 60))
        for x in range(240, 740, 110):
            draw.rectangle((x, 480 - height + 30, x + 60, 480 - height + 90), fill=azul)


def draw(archivo: Archivo, titulo: str) -> tuple[bytes, str, str]:
    """The file's bytes, file name and media type: a drawn JPEG scene or a one-page PDF, both
    plainly synthetic and stamped with :data:`MARCA`."""
    if archivo.foto:
        image = Image.new("RGB", (960, 600), (150, 200, 235))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 380, 960, 600), fill=(120, 150, 90))
        pie, escena, *resto = archivo.lineas  # see _foto
        percent = resto[0] if resto else ""
        _escena(draw, escena, int(percent or 100) / 100)
        _sello(draw, 960, 40)
        draw.rectangle((0, 490, 960, 600), fill=(40, 60, 40))
        _texto(draw, (30, 500), pie, 30, (255, 255, 255))
        if percent:
            draw.rectangle((640, 508, 930, 532), outline=(255, 255, 255), width=2)
            draw.rectangle((642, 510, 642 + int(286 * int(percent) / 100), 530),
                           fill=(250, 200, 60))
        _texto(draw, (30, 550), "Imagen dibujada por computadora; no es una fotografía.", 22,
               (255, 255, 255))
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        return out.getvalue(), _archivo_nombre(archivo, "jpg"), "image/jpeg"
    page = Image.new("RGB", (850, 1100), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    _sello(draw, 850, 60)
    y = 200
    for line in (*archivo.lineas, "", *textwrap.wrap(titulo, 52)):
        _texto(draw, (70, y), line, 26, (20, 20, 20))
        y += 48
    out = io.BytesIO()
    page.save(out, "PDF", resolution=100.0)
    return out.getvalue(), _archivo_nombre(archivo, "pdf"), "application/pdf"


def _archivo_nombre(archivo: Archivo, extension: str) -> str:
    base = "".join(c if c.isascii() and c.isalnum() else "-" for c in archivo.lineas[0].lower())
    return "-".join(part for part in base.split("-") if part)[:60] + f".{extension}"
