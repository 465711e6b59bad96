"""A module docstring."""
from __future__ import annotations



X = 1
def f() -> None:



    return None
class A:



    x: int



    def g(self) -> None: ...
    def h(self) -> None: ...



Y = 2
