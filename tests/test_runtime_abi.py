"""The runtime ABI (runmodels.emit.abi) against the runtime templates and the generated code.

Renaming a helper in `templates/runtime/_runtime.py` but not in the emitters (or the reverse),
changing a flag bit on one side, or adding a strict check the runtime cannot run fails here, in a
second, instead of in a golden or type-checker run.
"""

from __future__ import annotations

import ast
import dataclasses
import re
from pathlib import Path

import pytest

from runmodels.emit import abi
from runmodels.ir.nodes import Constraints

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = ROOT / "templates" / "runtime"
EMITTERS = ROOT / "generator" / "runmodels" / "emit"


def _defined(path: Path) -> dict[str, ast.AST]:
    """Module-level names of a runtime file: defs, classes, assignments and imports."""
    found: dict[str, ast.AST] = {}
    body = list(ast.parse(path.read_text(encoding="utf-8")).body)
    for node in body:
        if isinstance(node, ast.If):  # `if TYPE_CHECKING:` blocks define names for checkers
            body.extend(node.body + node.orelse)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] = node
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            found[node.target.id] = node
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                found[(alias.asname or alias.name).split(".")[0]] = node
    return found


def _constant(path: Path, name: str) -> object:
    node = _defined(path)[name]
    assert isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None
    return ast.literal_eval(node.value)


def test_every_runtime_name_the_emitters_may_use_is_defined() -> None:
    defined = _defined(RUNTIME / "_runtime.py")
    missing = sorted(abi.RUNTIME_NAMES - set(defined))
    assert not missing, f"_runtime.py does not define {missing}"


def test_every_package_export_comes_from_a_runtime_module() -> None:
    """`encode` is the runtime's `enc`; the deviation API lives in `_deviations.py`."""
    defined = set(_defined(RUNTIME / "_runtime.py")) | set(_defined(RUNTIME / "_deviations.py"))
    missing = sorted({"enc" if n == "encode" else n for n in abi.RUNTIME_EXPORTS} - defined)
    assert not missing


def test_every_http_name_the_client_uses_is_defined() -> None:
    defined = set(_defined(RUNTIME / "_http.py"))
    for extra in sorted(RUNTIME.glob("_*.py")):  # the HTTP runtime may be split into modules
        defined |= set(_defined(extra))
    assert not sorted(abi.HTTP_NAMES - defined)


def test_every_multipart_name_the_client_uses_is_defined_and_spelled() -> None:
    """The emitter writes `_multipart.<name>` only for names of the ABI, and `_multipart.py`
    defines each."""
    assert not sorted(abi.MULTIPART_NAMES - set(_defined(RUNTIME / "_multipart.py")))
    source = (EMITTERS / "client.py").read_text(encoding="utf-8")
    spelled = set(re.findall(r"\b_multipart\.(\w+)", source)) - {"py"}  # the file's name
    assert spelled and spelled <= abi.MULTIPART_NAMES, spelled - abi.MULTIPART_NAMES


def test_flag_bits_match_the_runtime() -> None:
    assert _constant(RUNTIME / "_runtime.py", "REQUIRED") == abi.FLAG_REQUIRED
    assert _constant(RUNTIME / "_runtime.py", "NULLABLE") == abi.FLAG_NULLABLE
    assert abi.flag_bits(True, True) == abi.FLAG_REQUIRED | abi.FLAG_NULLABLE
    assert abi.flag_bits(False, False) == 0


def test_check_names_are_the_ir_constraints_and_the_runtime_dispatch() -> None:
    assert {f.name for f in dataclasses.fields(Constraints)} == abi.CHECK_NAMES
    source = (RUNTIME / "_runtime.py").read_text(encoding="utf-8")
    dispatch = set(re.findall(r'name == "(\w+)"', source))
    rules = _defined(RUNTIME / "_runtime.py")["_SIZE_RULES"]
    assert isinstance(rules, ast.AnnAssign) and isinstance(rules.value, ast.Dict)
    dispatch |= {ast.literal_eval(key) for key in rules.value.keys if key is not None}
    assert dispatch == abi.CHECK_NAMES


def test_rt_refuses_a_name_the_runtime_lacks() -> None:
    assert abi.rt("get_each") == "_r.get_each"
    assert abi.field_helper("str") == "_r.field_str"
    with pytest.raises(AssertionError, match="no helper"):
        abi.rt("get_all")


def test_emitters_and_templates_spell_only_abi_names() -> None:
    """A `_r.<name>` written literally in an emitter or a template is in the ABI."""
    spelled: dict[str, str] = {}
    sources = [*EMITTERS.glob("*.py"), *(ROOT / "templates").glob("*.jinja")]
    for path in sources:
        for name in re.findall(r"\b_r\.(\w+)", path.read_text(encoding="utf-8")):
            spelled.setdefault(name, path.name)
    unknown = {name: where for name, where in spelled.items()
               if name not in abi.RUNTIME_NAMES and name != "field_"}
    assert not unknown, f"runtime names outside runmodels.emit.abi: {unknown}"


def test_generated_code_uses_only_abi_names() -> None:
    """Every `_r.<name>` and `_http.<name>` in the committed packages is in the ABI."""
    used_rt: set[str] = set()
    used_http: set[str] = set()
    for path in (ROOT / "generated").rglob("*.py"):
        if path.name.startswith("_"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                if node.value.id == abi.RUNTIME_ALIAS:
                    used_rt.add(node.attr)
                elif node.value.id == "_http":
                    used_http.add(node.attr)
    assert used_rt and used_rt <= abi.RUNTIME_NAMES, used_rt - abi.RUNTIME_NAMES
    assert used_http and used_http <= abi.HTTP_NAMES, used_http - abi.HTTP_NAMES
