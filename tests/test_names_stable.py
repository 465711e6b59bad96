"""Names that must not move or clash: class names when other schemas come and go, Windows'
reserved file names, the client's own exports, and the package name itself."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from _hostile import imported, unique_package
from click.testing import CliRunner

from runmodels.api import generate
from runmodels.build.names import WINDOWS_RESERVED
from runmodels.build.package_ir import build_package
from runmodels.cli.main import main
from runmodels.errors import SpecError


def _spec(tmp_path: Path, schemas: list[str], paths: bool = False, name: str = "spec") -> Path:
    doc: dict[str, object] = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"},
                              "components": {"schemas": {
                                  key: {"type": "object", "properties": {"id": {"type": "string"}}}
                                  for key in schemas}}}
    if paths:
        doc["paths"] = {"/things/{id}": {"get": {
            "operationId": "getThing",
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": f"#/components/schemas/{schemas[0]}"}}}}}}}}
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def _placement(spec: Path) -> dict[str, tuple[str, str]]:
    """Schema key -> (class name, module name)."""
    pkg = build_package(spec, "p")
    module_of = {entity: m.name for m in pkg.modules for entity in m.entities}
    return {key: (name, module_of[name]) for key, name in pkg.schema_names}


@pytest.mark.parametrize("added", ["RUN", "run", "Run_", "RunS", "A", "Zebra"])
def test_adding_a_schema_renames_no_other(tmp_path: Path, added: str) -> None:
    before = _placement(_spec(tmp_path, ["Run", "RunStep", "Thread"], name="before"))
    after = _placement(_spec(tmp_path, ["Run", "RunStep", "Thread", added], name="after"))
    assert {key: after[key] for key in before} == before
    assert len({name for name, _ in after.values()}) == len(after)
    assert len({module.lower() for _, module in after.values()}) == len(after)


@pytest.mark.slow
def test_no_module_has_a_windows_reserved_name(tmp_path: Path) -> None:
    keys = ["CON", "NUL", "aux", "Com1", "lpt9", "Prn", "Console"]
    spec = _spec(tmp_path, keys)
    modules = {module for _, module in _placement(spec).values()}
    assert not {m.lower() for m in modules} & WINDOWS_RESERVED, modules
    package = unique_package("windows")
    generate(spec, tmp_path / "out", package, cache_dir=tmp_path / "cache")
    files = {p.stem.lower() for p in (tmp_path / "out" / package).rglob("*.py")}
    assert not files & WINDOWS_RESERVED, files
    with imported(tmp_path / "out", package) as pkg:
        assert pkg.CON.from_dict({"id": "x"}).id == "x" and pkg.Com1.from_dict({}) is not None


@pytest.mark.slow
def test_client_exports_are_not_hidden_by_schemas(tmp_path: Path) -> None:
    exports = ["Response", "Request", "APIError", "Stream", "UnknownEvent", "Client"]
    spec = _spec(tmp_path, exports, paths=True)
    package = unique_package("exports")
    generate(spec, tmp_path / "out", package, cache_dir=tmp_path / "cache")
    with imported(tmp_path / "out", package) as pkg:
        assert pkg.Response.__module__ == f"{package}._transport"
        assert pkg.Request.__module__ == f"{package}._transport"
        assert issubclass(pkg.APIError, Exception)
        assert pkg.Stream.__module__ == pkg.Client.__module__ == f"{package}.client"
        assert pkg.UnknownEvent.__module__ == f"{package}.client"
        assert pkg.Response_.from_dict({"id": "r"}).id == "r"  # the schema, renamed
        assert pkg.Client_.from_dict({"id": "c"}).id == "c"


@pytest.mark.parametrize("bad", ["class", "None", "my-pkg", "1st", "café"])
def test_package_must_be_a_plain_identifier(tmp_path: Path, bad: str) -> None:
    spec = _spec(tmp_path, ["Run"])
    result = CliRunner().invoke(main, ["generate", str(spec), "--out", str(tmp_path / "o"),
                                       "--package", bad])
    assert result.exit_code == 2 and "not a valid Python identifier" in result.output
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("bad", ["class", "my-pkg", "café"])
def test_the_python_api_refuses_such_a_package_too(tmp_path: Path, bad: str) -> None:
    with pytest.raises(SpecError, match="not a valid Python identifier"):
        generate(_spec(tmp_path, ["Run"]), tmp_path / "o", bad, cache_dir=tmp_path / "cache")
    assert not (tmp_path / "o").exists()
