"""Both caches name their entries from one Options object: every option that decides the files
changes both names, options that only decide what happens afterwards change neither."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from runmodels import incremental
from runmodels.cache import memo
from runmodels.options import Options


@pytest.fixture
def base(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Options:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "api.yaml").write_text("openapi: 3.1.0\n")
    (tmp_path / "tpl").mkdir()
    return Options(tmp_path / "api.yaml", "pkg")


def _keys(options: Options) -> tuple[str, str]:
    return memo.run_key(options, "digest"), incremental.store_key(options)


def test_options_normalise_what_callers_pass(tmp_path: Path) -> None:
    loose = Options(str(tmp_path / "a.yaml"), "pkg", ["Run"], str(tmp_path),  # type: ignore[arg-type]
                    overlays=[str(tmp_path / "o.yaml")],  # type: ignore[arg-type]
                    allow_roots=[tmp_path])  # type: ignore[arg-type]
    tight = Options(tmp_path / "a.yaml", "pkg", ("Run",), tmp_path,
                    overlays=(tmp_path / "o.yaml",), allow_roots=(tmp_path,))
    assert loose == tight and hash(loose) == hash(tight)
    assert _keys(loose) == _keys(tight)


def test_equal_options_name_the_same_entries(base: Options) -> None:
    assert _keys(base) == _keys(dataclasses.replace(base))


@pytest.mark.parametrize("change", [
    {"package": "other"},
    {"select": ("Run",)},
    {"client": False},
    {"templates": Path("tpl")},
    {"overlays": (Path("names.overlay.yaml"),)},
    {"allow_roots": (Path("shared"),)},
    {"spec": Path("elsewhere.yaml")},
], ids=lambda change: next(iter(change)))
def test_every_option_that_decides_the_files_changes_both_keys(base: Options, change) -> None:
    run, modules = _keys(base)
    other_run, other_modules = _keys(dataclasses.replace(base, **change))
    assert other_run != run and other_modules != modules


@pytest.mark.parametrize("change", [{"strict_spec": True}, {"changelog": Path("CHANGES.md")}],
                         ids=lambda change: next(iter(change)))
def test_options_applied_after_rendering_change_no_key(base: Options, change) -> None:
    assert _keys(dataclasses.replace(base, **change)) == _keys(base)


def test_the_spec_bytes_name_the_run_but_not_the_module_store(base: Options) -> None:
    assert memo.run_key(base, "one") != memo.run_key(base, "two")
    assert memo.run_key(base, "one") != incremental.store_key(base)


def test_a_template_override_edit_changes_both_keys(base: Options, tmp_path: Path) -> None:
    options = dataclasses.replace(base, templates=tmp_path / "tpl")
    before = _keys(options)
    (tmp_path / "tpl" / "model.py.jinja").write_text("{# edited #}\n")
    after = _keys(options)
    assert after[0] != before[0] and after[1] != before[1]


def test_the_working_folder_is_part_of_both_keys(base: Options, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    before = _keys(base)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # the spec's shown path changes with it
    after = _keys(base)
    assert after[0] != before[0] and after[1] != before[1]
