VALUES = (1, 2,)
SINGLE = ('a', )
CALL = make(a, b,)
PAIR = {'a': 1,}


def f(a, b,):
    return g(a, b)


def one(self, *, strict: bool = False,) -> None:
    return None
ONE_TUPLE = (a,)
NESTED_ONE_TUPLE = f((a,))
SUBSCRIPT = a[b,]
if check(a,):
    pass
