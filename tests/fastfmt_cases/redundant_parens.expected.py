def f(x: int) -> int:
    if x:
        return x
    while x > 3:
        x = x - 1
    for a in range(3):
        del a
    return x + 1
