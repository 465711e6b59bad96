GREETING = 'grüß dich, 日本'
ESCAPES = '\xAB\u00E9\U0001F600\N{bullet}'
BYTES = b'\xFF'
SEPARATOR = '\u2028'


class Naïve:
    """Ein Modell: größer als 𝔘."""

    größe: int
    """Die Größe."""
