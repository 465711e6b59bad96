"""Defects local to one schema or operation are repaired with a warning; --strict-spec refuses.

tests/local_defects/defects.yaml holds one of each: a template parameter nobody declares, a
declared path parameter the template lacks, an operation written as a `$ref` to another file,
a dangling `$ref` (in a field and in an operation), an unsatisfiable `allOf`, a discriminator
mapping outside its `oneOf`, a `oneOf` that lists itself, and `properties` written as a `$ref`.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from _hostile import imported, unique_package
from click.testing import CliRunner

from runmodels.api import generate
from runmodels.cli.main import main
from runmodels.errors import SpecError

SPEC = Path(__file__).resolve().parent / "local_defects" / "defects.yaml"
EXPECTED = Counter({"path-param-undeclared": 2, "path-param-not-in-template": 1,
                    "ref-unresolved": 2, "allof-unsatisfiable": 1, "mapping-outside-union": 1,
                    "union-lists-itself": 1, "properties-ref": 1})


def test_each_defect_is_one_structured_warning(tmp_path: Path) -> None:
    result = generate(SPEC, tmp_path, "d", cache_dir=tmp_path / "cache")
    assert Counter(w.code for w in result.warnings) == EXPECTED
    for warning in result.warnings:
        assert warning.file and warning.file.endswith("defects.yaml"), warning
        assert warning.line and warning.column, warning
        assert warning.pointer and warning.pointer.startswith("#/"), warning
    undeclared = [w for w in result.warnings if w.code == "path-param-undeclared"]
    assert {w.pointer for w in undeclared} == {"#/paths/~1uploads~1{upload_id}~1part/post",
                                               "#/paths/~1certificates~1{certificate_id}/get"}
    # a warm run (the memo) reports the same warnings
    again = generate(SPEC, tmp_path, "d", cache_dir=tmp_path / "cache")
    assert again.warnings == result.warnings


@pytest.mark.slow
def test_the_repairs_give_a_sound_package(tmp_path: Path) -> None:
    package = unique_package("defects")
    generate(SPEC, tmp_path, package, cache_dir=tmp_path / "cache")
    with imported(tmp_path, package) as pkg:
        client = pkg.Client
        assert list(inspect.signature(client.add_part).parameters)[:2] == ["self", "upload_id"]
        get_cert = inspect.signature(client.get_cert).parameters
        assert "certificate_id" in get_cert and "cert_id" not in get_cert
        assert "limit" in inspect.signature(client.list_things).parameters  # followed the $ref
        assert not hasattr(client, "broken")  # its parameter $ref leads nowhere: left out
        holder = pkg.Holder.from_dict({"gone": [1, {"x": 2}], "both": "s"})
        assert holder.gone == [1, {"x": 2}] and holder.both == "s"  # typed Any
        dog = pkg.decode_pet({"kind": "dog", "bark": True})
        assert isinstance(dog, pkg.Dog) and dog.bark is True
        assert isinstance(pkg.decode_self({"kind": "x"}), pkg.Cat)
        assert pkg.Refs.from_dict({"droplet_ids": [1, 2]}).droplet_ids == [1, 2]
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental",
                             "-p", package], cwd=tmp_path, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout


@pytest.mark.slow
def test_strict_spec_refuses_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as raised:
        generate(SPEC, tmp_path, "d", cache_dir=tmp_path / "cache", strict_spec=True)
    assert raised.value.line is not None and raised.value.pointer is not None
    assert "more warnings" in raised.value.message
    assert not (tmp_path / "d").exists()


def test_cli_prints_one_summary_line_and_lists_with_verbose(tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["generate", str(SPEC), "--out", str(tmp_path), "--package", "d"]
    plain = runner.invoke(main, args)
    assert plain.exit_code == 0, plain.output
    lines = [line for line in plain.stderr.splitlines() if "warning" in line]
    assert lines == [("d: 9 warnings: 1 allof-unsatisfiable, 1 mapping-outside-union, "
                      "1 path-param-not-in-template, 2 path-param-undeclared, 1 properties-ref, "
                      "2 ref-unresolved, 1 union-lists-itself (-v lists them)")]
    verbose = runner.invoke(main, [*args, "-v"])
    assert sum("warning[" in line for line in verbose.stderr.splitlines()) == 9
    check = runner.invoke(main, [*args, "--check"])
    assert check.exit_code == 0 and "warning" not in check.output, check.output
    strict = runner.invoke(main, [*args, "--strict-spec"])
    assert strict.exit_code == 2 and strict.stderr.startswith("error: "), strict.output


def test_strict_spec_config_key(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        "[tool.runmodels]\nstrict_spec = true\n[[tool.runmodels.targets]]\n"
        f"spec = {str(SPEC)!r}\nout = 'out'\npackage = 'd'\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["generate", "--config", str(tmp_path / "pyproject.toml")])
    assert result.exit_code == 2 and "[allof-unsatisfiable]" in result.stderr, result.output
    assert not (tmp_path / "out" / "d").exists()
