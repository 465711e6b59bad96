ORDER = [
    "a",
    "b",
    "c",
]
PAIRS = {
    "a": (1, 2),
    "b": f(x, y),
}
KEPT = {
    "a": (1, 2),
    "b": f(x, y),
}
