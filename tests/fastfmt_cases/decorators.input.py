from __future__ import annotations
@dataclass(kw_only=True, repr=False)
class Run(_r.Model):
    """A run."""
    @property
    def is_terminal(self) -> bool:
        return self.status in _TERMINAL
    @staticmethod
    def kinds() -> tuple[str, ...]:
        return ('a', 'b')
    @classmethod
    def from_dict(cls, d: Any, *, strict: bool = False) -> Run:
        return _decode_Run(d, _r.Ctx(strict))
@overload
def get(name: str) -> str: ...
@overload
def get(name: int) -> int: ...
def get(name: str | int) -> str | int:
    return name
