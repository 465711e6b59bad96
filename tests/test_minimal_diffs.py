"""A spec change rewrites exactly the files whose code changes, and `--check` says only that.

The spec's hash lives in the manifest, not in every file's header, so a description edit must
reach only the files that show the description; every other file keeps its inode and mtime.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from runmodels.api import generate
from runmodels.build.package_ir import build_package
from runmodels.cli.main import main
from runmodels.emit.render import render_package
from runmodels.write.files import MANIFEST

pytestmark = pytest.mark.slow  # seconds to minutes: left out of `pytest -m "not slow"`

ROOT = Path(__file__).resolve().parents[1]
MARKER = "Zqxj edited"


def _spec_doc() -> Any:
    return yaml.safe_load((ROOT / "specs" / "runs_v2.yaml").read_text(encoding="utf-8"))


def _rendered(doc: Any, folder: Path) -> dict[str, str]:
    folder.mkdir(exist_ok=True)
    path = folder / "runs.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return render_package(build_package(path, "runs"))


def _described(doc: Any) -> list[str]:
    schemas = doc["components"]["schemas"]
    return [name for name, schema in schemas.items() if isinstance(schema.get("description"), str)]


def test_a_description_edit_changes_only_the_files_that_show_it(tmp_path: Path) -> None:
    doc = _spec_doc()
    base = _rendered(doc, tmp_path / "base")
    names = _described(doc)
    assert len(names) > 30
    for name in names[::3]:  # a spread of enums, models, unions and list pages
        edited = copy.deepcopy(doc)
        edited["components"]["schemas"][name]["description"] += f" {MARKER}"
        new = _rendered(edited, tmp_path / "edit")
        assert list(new) == list(base)
        changed = {rel for rel in new if new[rel] != base[rel]}
        shown = {rel for rel, text in new.items() if MARKER in text}
        assert changed == shown and shown, (name, sorted(changed ^ shown))


def _inodes(package: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(package).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in package.rglob("*") if p.is_file()}


def test_a_one_schema_edit_writes_only_its_files(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "runs.yaml"
    shutil.copy(ROOT / "specs" / "runs_v2.yaml", spec)
    cache = tmp_path / "cache"
    first = generate(spec, "out", "runs", cache_dir=cache)
    package = tmp_path / "out" / "runs"
    assert len(first.written) > 80
    before = _inodes(package)

    text = spec.read_text(encoding="utf-8")
    old = "      description: The status of a run.\n"
    assert text.count(old) == 1
    spec.write_text(text.replace(old, f"      description: The status of a run ({MARKER}).\n"),
                    encoding="utf-8")

    check = CliRunner().invoke(main, ["generate", "runs.yaml", "--out", "out", "--package",
                                      "runs", "--check"])
    assert check.exit_code == 1
    second = generate(spec, "out", "runs", cache_dir=cache)
    shows = sorted(rel for rel in second.written + second.unchanged
                   if MARKER in (package / rel).read_text(encoding="utf-8"))
    assert shows == ["models/run.py", "models/run_status.py"]  # the enum, and Run.status's doc
    assert second.written == tuple(shows) and second.removed == ()
    after = _inodes(package)
    assert sorted(rel for rel in after if after[rel] != before.get(rel)) == [MANIFEST, *shows]

    listed = [line for line in check.output.splitlines() if line.startswith("would be ")]
    assert listed == [f"would be changed: out/runs/{rel}" for rel in shows]
    assert check.output.count("+++ b/") == len(shows)
    assert len(check.output.splitlines()) < 40  # proportional to the change
    manifest = json.loads((package / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["spec_sha256"] == hashlib.sha256(spec.read_bytes()).hexdigest()
    assert manifest["spec"] == "runs.yaml"
    assert MARKER in (package / "models" / "run_status.py").read_text(encoding="utf-8")


def test_a_whitespace_only_spec_change_rewrites_no_code(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "runs.yaml"
    shutil.copy(ROOT / "specs" / "runs_v2.yaml", spec)
    generate(spec, "out", "runs", cache_dir=tmp_path / "cache")
    before = _inodes(tmp_path / "out" / "runs")
    spec.write_text(spec.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    result = generate(spec, "out", "runs", cache_dir=tmp_path / "cache")
    assert result.written == ()
    after = _inodes(tmp_path / "out" / "runs")
    assert sorted(rel for rel in after if after[rel] != before[rel]) == [MANIFEST]


def test_one_description_edit_of_the_whole_openai_spec_writes_three_files(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from corpus import CORPUS, corpus_file

    source = corpus_file(CORPUS / "2026-08-21.yaml")
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "openai.yaml"
    text = source.read_text(encoding="utf-8")
    spec.write_text(text, encoding="utf-8")
    cache = tmp_path / "cache"
    assert len(generate(spec, "out", "openai", cache_dir=cache).written) > 1000
    before = _inodes(tmp_path / "out" / "openai")
    old = "    RunObject:\n      type: object\n      title: A run on a thread\n      description: "
    assert text.count(old) == 1
    spec.write_text(text.replace(old, f"{old}{MARKER} "), encoding="utf-8")
    result = generate(spec, "out", "openai", cache_dir=cache)
    after = _inodes(tmp_path / "out" / "openai")
    touched = sorted(rel for rel in after if after[rel] != before.get(rel))
    assert touched == [MANIFEST, "models/run_object.py", "models/run_stream_event.py"]
    assert result.written == ("models/run_object.py", "models/run_stream_event.py")
