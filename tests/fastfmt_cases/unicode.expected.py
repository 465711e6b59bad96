GREETING = "grüß dich, 日本"
ESCAPES = "\xab\u00e9\U0001f600\N{BULLET}"
BYTES = b"\xff"
SEPARATOR = "\u2028"


class Naïve:
    """Ein Modell: größer als 𝔘."""

    größe: int
    """Die Größe."""
