"""The `runmodels` command as a build step: config, --check/--diff, safe writes, determinism, hooks.

Uses click's CliRunner for most behaviour and real `python -m runmodels` subprocesses where a real
process matters (exit codes, SIGKILL, PYTHONHASHSEED, a terminal, the pre-commit hook).
"""

from __future__ import annotations

import hashlib
import json
import os
import pty
import re
import select
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from runmodels._version import __version__
from runmodels.build.package_ir import build_package
from runmodels.cli.main import main
from runmodels.emit.render import render_package
from runmodels.paths import MANIFEST

ROOT = Path(__file__).resolve().parents[1]
SUMMARY = re.compile(r"(\d+) files: (\d+) written, (\d+) unchanged, (\d+) removed — \d+\.\d s")

SPEC = """\
openapi: 3.1.0
info: {title: Shop, version: "1"}
paths: {}
components:
  schemas:
    Order:
      type: object
      required: [id, status]
      properties:
        id: {type: string}
        status: {$ref: "#/components/schemas/OrderStatus"}
        note: {type: string}
    OrderStatus:
      type: string
      enum: [open, shipped]
    Refund:
      type: object
      required: [id]
      properties:
        id: {type: string}
"""

PYPROJECT = """\
[project]
name = "shop"

[tool.runmodels]

[[tool.runmodels.targets]]
spec = "shop.yaml"
out = "gen"
package = "shop"
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with a spec and [tool.runmodels], as the working directory."""
    (tmp_path / "shop.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def proc(*args: str, cwd: Path, env: dict[str, str] | None = None,
         timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "runmodels", *args], cwd=cwd,
                          check=False, env=_env(env), capture_output=True, text=True, timeout=timeout)


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **(extra or {})}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def edit_spec(project: Path, old: str, new: str) -> None:
    path = project / "shop.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


# ---- configuration ------------------------------------------------------------------------------


def test_generate_from_config_prints_summary(project: Path) -> None:
    result = run("generate")
    assert result.exit_code == 0, result.output
    match = SUMMARY.search(result.output)
    assert match and match.group(1) == match.group(2) and match.group(4) == "0", result.output
    assert (project / "gen" / "shop" / "models" / "order.py").is_file()
    again = run("generate")
    match = SUMMARY.search(again.output)
    assert match and match.group(2) == "0" and match.group(3) == match.group(1)


@pytest.mark.parametrize("text,needle", [
    (PYPROJECT.replace('package = "shop"', 'package = "shop"\nspecc = "x.yaml"'), "'specc'"),
    (PYPROJECT.replace("[tool.runmodels]\n", "[tool.runmodels]\nformat = 1\n"), "'format'"),
    (PYPROJECT.replace('package = "shop"\n', ""), "'package'"),
    (PYPROJECT.replace('spec = "shop.yaml"', 'spec = "missing.yaml"'), "missing.yaml"),
    (PYPROJECT.replace('out = "gen"', "out = 3"), "'out' must be a string"),
    (PYPROJECT + "[[tool.runmodels.targets]\n", "invalid TOML"),
])
def test_config_errors_name_key_and_file(project: Path, text: str, needle: str) -> None:
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    result = run("generate")
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert "pyproject.toml" in result.output
    assert "Traceback" not in result.output
    assert not (project / "gen").exists()


def test_config_option_and_target_selection(project: Path) -> None:
    other = project / "runmodels.toml"
    other.write_text(PYPROJECT.replace("[project]\nname = \"shop\"\n", "") + (
        '\n[[tool.runmodels.targets]]\nname = "second"\nspec = "shop.yaml"\nout = "gen2"\n'
        'package = "shop"\n'), encoding="utf-8")
    result = run("generate", "--config", str(other), "--target", "second")
    assert result.exit_code == 0, result.output
    assert (project / "gen2" / "shop").is_dir() and not (project / "gen").exists()
    unknown = run("generate", "--config", str(other), "--target", "nope")
    assert unknown.exit_code == 2
    assert "unknown --target nope" in unknown.output and "second" in unknown.output


def test_no_config_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("generate")
    assert result.exit_code == 2
    assert "no SPEC given" in result.output


def test_bad_spec_path_exits_2_without_traceback(project: Path) -> None:
    result = proc("generate", "nope.yaml", "--out", "gen", "--package", "shop", cwd=project)
    assert result.returncode == 2
    assert "nope.yaml" in result.stderr and "Traceback" not in result.stderr + result.stdout
    broken = project / "broken.yaml"
    broken.write_text("components: {schemas: {A: [unclosed\n", encoding="utf-8")
    result = proc("generate", "broken.yaml", "--out", "gen", "--package", "shop", cwd=project)
    assert result.returncode == 2
    assert "broken.yaml" in result.stderr and "Traceback" not in result.stderr


def test_version_and_usage_exit_codes(project: Path) -> None:
    version = proc("--version", cwd=project)
    assert version.returncode == 0 and re.match(r"runmodels, version \d", version.stdout)
    assert proc("generate", "--no-such-option", cwd=project).returncode == 2
    assert proc("generate", "shop.yaml", cwd=project).returncode == 2  # --out missing


# ---- --check, --diff, --quiet, --verbose ------------------------------------------------------


def test_check_clean_and_stale(project: Path) -> None:
    assert run("generate").exit_code == 0
    clean = run("generate", "--check")
    assert clean.exit_code == 0 and "up to date" in clean.output
    before = snapshot(project / "gen")
    edit_spec(project, "    Refund:\n", "    Invoice:\n      type: object\n      properties:\n"
              "        total: {type: integer}\n    Refund:\n")
    edit_spec(project, "        note: {type: string}\n", "")
    stale = proc("generate", "--check", cwd=project)
    assert stale.returncode == 1
    assert "+++ b/gen/shop/models/invoice.py" in stale.stdout  # relative to the working folder
    assert "-    note: str | Unset\n" in stale.stdout
    assert "would be added: gen/shop/models/invoice.py\n" in stale.stderr
    assert "would be changed: gen/shop/models/order.py\n" in stale.stderr
    assert str(project) not in stale.stdout + stale.stderr
    assert "out of date" in stale.stderr
    assert "\x1b[" not in stale.stdout  # not a terminal: no colour
    assert snapshot(project / "gen") == before  # --check writes nothing
    edit_spec(project, "    Refund:\n      type: object\n      required: [id]\n      properties:\n"
              "        id: {type: string}\n", "")
    removed = run("generate", "--check")
    assert removed.exit_code == 1
    assert "would be removed: gen/shop/models/refund.py\n" in removed.output


def test_diff_prints_and_writes(project: Path) -> None:
    assert run("generate").exit_code == 0
    edit_spec(project, "enum: [open, shipped]", "enum: [open, shipped, lost]")
    result = run("generate", "--diff")
    assert result.exit_code == 0, result.output
    assert '+    LOST = "lost"' in result.output
    assert SUMMARY.search(result.output)
    assert run("generate", "--check").exit_code == 0


def test_quiet_and_verbose(project: Path) -> None:
    quiet = run("generate", "--quiet")
    assert quiet.exit_code == 0 and quiet.output == ""
    edit_spec(project, "enum: [open, shipped]", "enum: [open, shipped, lost]")
    verbose = run("generate", "--verbose")
    assert verbose.exit_code == 0
    assert "  wrote gen/shop/models/order_status.py\n" in verbose.output
    assert run("generate", "--check", "--quiet").output == ""


# ---- safe writes ---------------------------------------------------------------------------------


def test_stale_files_removed_user_files_spared(project: Path) -> None:
    assert run("generate").exit_code == 0
    package = project / "gen" / "shop"
    (package / "models" / "custom.py").write_text("MINE = 1\n", encoding="utf-8")
    (package / "NOTES.md").write_text("my notes\n", encoding="utf-8")
    order_mtime = (package / "models" / "order.py").stat().st_mtime_ns
    assert run("generate").exit_code == 0  # nothing changed: nothing rewritten
    assert (package / "models" / "order.py").stat().st_mtime_ns == order_mtime
    edit_spec(project, "    Refund:\n      type: object\n      required: [id]\n      properties:\n"
              "        id: {type: string}\n", "")
    result = run("generate", "--verbose")
    assert result.exit_code == 0, result.output
    assert "removed " in result.output and "refund.py" in result.output
    assert not (package / "models" / "refund.py").exists()
    assert (package / "models" / "custom.py").read_text() == "MINE = 1\n"
    assert (package / "NOTES.md").read_text() == "my notes\n"


def test_foreign_folder_refused_unless_force(project: Path) -> None:
    package = project / "gen" / "shop"
    package.mkdir(parents=True)
    (package / "important.py").write_text("KEEP = 1\n", encoding="utf-8")
    refused = run("generate")
    assert refused.exit_code == 2 and "--force" in refused.output
    assert snapshot(package) == {"important.py": b"KEEP = 1\n"}
    assert run("generate", "--force").exit_code == 0
    assert (package / MANIFEST).is_file() and (package / "important.py").is_file()


def _big_spec(count: int, tag: str) -> str:
    lines = ["openapi: 3.1.0", "info: {title: Big, version: '1'}", "paths: {}", "components:",
             "  schemas:"]
    for i in range(count):
        lines += [f"    Thing{i}:", "      type: object", "      properties:",
                  f"        {tag}: {{type: string}}"]
    return "\n".join(lines) + "\n"


def test_sigkill_mid_write_leaves_old_output(tmp_path: Path) -> None:
    # Tiny module template: many files, each cheap to format, so the (fsynced) write is long.
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "models_module.py.jinja").write_text("{{ header }}\nVALUE = 1\n")
    (tmp_path / "spec.yaml").write_text(_big_spec(120, "old"), encoding="utf-8")
    args = ("generate", "spec.yaml", "--out", "out", "--package", "big", "--templates",
            str(templates))
    assert proc(*args, cwd=tmp_path).returncode == 0
    package = tmp_path / "out" / "big"
    old = snapshot(package)
    staging = tmp_path / "out" / ".big.runmodels-new"
    for _attempt in range(5):
        (tmp_path / "spec.yaml").write_text(_big_spec(120, "new"), encoding="utf-8")
        child = subprocess.Popen([sys.executable, "-m", "runmodels", *args], cwd=tmp_path,
                                 env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        while child.poll() is None and time.monotonic() < deadline:
            if staging.is_dir() and len(list(staging.glob("models/*.py"))) > 20:
                break
            time.sleep(0.001)
        child.send_signal(signal.SIGKILL)
        child.wait()
        if child.returncode == -signal.SIGKILL and staging.is_dir():
            break  # killed while the new tree was half written
        # missed the window: put the old output back and try again
        (tmp_path / "spec.yaml").write_text(_big_spec(120, "old"), encoding="utf-8")
        assert proc(*args, cwd=tmp_path).returncode == 0
        assert snapshot(package) == old
    else:
        pytest.skip("could not catch the writer mid-write")
    assert snapshot(package) == old  # the old output, complete and untouched
    assert proc(*args, cwd=tmp_path).returncode == 0  # the next run recovers and succeeds
    new = snapshot(package)
    assert set(new) == set(old) and new != old
    assert all(data.startswith(b"# Generated by runmodels") for rel, data in new.items()
               if rel.endswith(".py"))
    assert not staging.exists()
    assert not (tmp_path / "out" / ".big.runmodels-old").exists()
    assert proc(*args, "--check", cwd=tmp_path).returncode == 0


# ---- determinism ------------------------------------------------------------------------------


RENDER = """
import hashlib, json, sys
from pathlib import Path
from runmodels._version import __version__
from runmodels.build.package_ir import build_package
from runmodels.emit.render import render_package
files = render_package(build_package(Path(sys.argv[1]), "runs"))
print(hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest(), len(files))
"""


@pytest.mark.parametrize("spec", ["runs_v1.yaml", "runs_v2.yaml"])
def test_rendered_code_identical_across_hash_seeds(spec: str) -> None:
    # black is deterministic for a given input: compare what goes into it (and skip its cost)
    digests = {subprocess.run([sys.executable, "-c", RENDER, str(ROOT / "specs" / spec)],
                              cwd=ROOT, env=_env({"PYTHONHASHSEED": seed}), check=True,
                              capture_output=True, text=True).stdout
               for seed in ("0", "1", "4242")}
    assert len(digests) == 1, digests


def test_generated_files_identical_across_hash_seeds(project: Path) -> None:
    outputs = []
    for seed in ("0", "4242"):
        out = f"out{seed}"
        result = proc("generate", "shop.yaml", "--out", out, "--package", "shop", cwd=project,
                      env={"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr
        outputs.append(snapshot(project / out / "shop"))
    assert outputs[0] == outputs[1]


def test_reordered_component_keys_give_the_same_code(tmp_path: Path) -> None:
    doc = yaml.safe_load((ROOT / "specs" / "runs_v1.yaml").read_text(encoding="utf-8"))
    schemas = doc["components"]["schemas"]
    doc["components"]["schemas"] = dict(reversed(list(schemas.items())))
    doc["components"] = dict(reversed(list(doc["components"].items())))
    shutil.copy(ROOT / "specs" / "runs_v1.yaml", tmp_path / "runs.yaml")
    (tmp_path / "reordered").mkdir()
    (tmp_path / "reordered" / "runs.yaml").write_text(yaml.safe_dump(doc, sort_keys=False))
    a = render_package(build_package(tmp_path / "runs.yaml", "runs"))
    b = render_package(build_package(tmp_path / "reordered" / "runs.yaml", "runs"))
    assert list(a) == list(b)
    assert a == b  # the headers name the spec file, not its content


def test_header_names_version_and_spec_the_manifest_its_hash(project: Path) -> None:
    assert run("generate").exit_code == 0
    first = (project / "gen" / "shop" / "models" / "order.py").read_text().splitlines()[0]
    assert re.fullmatch(r"# Generated by runmodels \d+\.\d+\.\d+\S* from shop\.yaml\. "
                        r"Do not edit: .*", first), first
    manifest = json.loads((project / "gen" / "shop" / MANIFEST).read_text())
    assert manifest["spec"] == "shop.yaml" and manifest["version"] == __version__
    assert manifest["spec_sha256"] == hashlib.sha256((project / "shop.yaml").read_bytes()).hexdigest()


# ---- templates ----------------------------------------------------------------------------------


def test_templates_override_by_file_name(project: Path) -> None:
    assert run("generate").exit_code == 0
    default = snapshot(project / "gen" / "shop")
    templates = project / "my-templates"
    templates.mkdir()
    builtin = (ROOT / "templates" / "package_init.py.jinja").read_text(encoding="utf-8")
    (templates / "package_init.py.jinja").write_text(builtin + "\nCUSTOMISED = True\n")
    result = run("generate", "--templates", str(templates))
    assert result.exit_code == 0, result.output
    custom = snapshot(project / "gen" / "shop")
    assert b"CUSTOMISED = True" in custom["__init__.py"]
    assert {k: v for k, v in custom.items() if k not in ("__init__.py", MANIFEST)} == {
        k: v for k, v in default.items() if k not in ("__init__.py", MANIFEST)}
    # the same through the config file, relative to it
    (project / "pyproject.toml").write_text(
        PYPROJECT.replace('package = "shop"', 'package = "shop"\ntemplates = "my-templates"'))
    assert run("generate", "--check").exit_code == 0


# ---- terminal: progress bar and colour ------------------------------------------------------------


def _run_on_tty(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run `python -m runmodels ARGS` with stdout and stderr on a pseudo-terminal."""
    master, slave = pty.openpty()
    child = subprocess.Popen([sys.executable, "-m", "runmodels", *args], cwd=cwd, env=_env(),
                             stdin=subprocess.DEVNULL, stdout=slave, stderr=slave)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    return child.wait(timeout=60), b"".join(chunks).decode("utf-8", "replace")


def test_progress_bar_and_colour_on_a_terminal(project: Path) -> None:
    (project / "pyproject.toml").write_text(PYPROJECT + (
        '\n[[tool.runmodels.targets]]\nname = "copy"\nspec = "shop.yaml"\nout = "gen2"\n'
        'package = "shop"\n'))
    code, output = _run_on_tty(["generate"], project)
    assert code == 0, output
    assert "generating" in output and "[####" in output  # click's progress bar
    assert len(SUMMARY.findall(output)) == 2
    edit_spec(project, "enum: [open, shipped]", "enum: [open, shipped, lost]")
    code, output = _run_on_tty(["generate", "--check"], project)
    assert code == 1
    assert '\x1b[32m+    LOST = "lost"' in output  # a coloured diff
    piped = proc("generate", "--check", cwd=project)
    assert piped.returncode == 1 and "\x1b[" not in piped.stdout + piped.stderr


# ---- pre-commit hook ----------------------------------------------------------------------------


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    (hook,) = [h for h in hooks if h["id"] == "runmodels-check"]
    assert isinstance(hook, dict)
    return hook


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


@pytest.fixture
def sample_repo(project: Path) -> Iterator[Path]:
    """A git repository whose generated code is committed and up to date."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    assert run("generate").exit_code == 0
    _git(project, "init", "-q", ".")
    _git(project, "add", "-A")
    _git(project, "commit", "-qm", "generated")
    yield project


def test_hook_definition_and_entry_on_sample_repo(sample_repo: Path) -> None:
    hook = _hook()
    assert hook["language"] == "python" and hook["pass_filenames"] is False
    entry = shlex.split(str(hook["entry"]))
    assert entry[:3] == ["runmodels", "generate", "--check"]
    # what pre-commit runs: the entry, in the repository root, with no file names
    ok = proc(*entry[1:], cwd=sample_repo)
    assert ok.returncode == 0, ok.stderr
    edit_spec(sample_repo, "enum: [open, shipped]", "enum: [open, shipped, lost]")
    stale = proc(*entry[1:], cwd=sample_repo)
    assert stale.returncode == 1 and "LOST" in stale.stdout


@pytest.mark.slow
def test_pre_commit_runs_the_hook(sample_repo: Path) -> None:
    """The real pre-commit, installing runmodels from a copy of this checkout into its own env.

    `pre-commit try-repo` would do the same but always into a throw-away store (a ~40 s install
    every time); `pre-commit run` with a config naming the hook repository at a fixed path and
    rev reuses the environment installed on an earlier run while runmodels' code is unchanged.
    """
    pre_commit = shutil.which("pre-commit") or shutil.which(
        "pre-commit", path=str(Path(sys.executable).parent))
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    home = Path(os.environ.get("RUNMODELS_TEST_PRE_COMMIT_HOME")
                or Path.home() / ".cache" / "runmodels-tests" / "pre-commit")
    hook_repo = home / "runmodels-hook-repo"
    shutil.rmtree(hook_repo, ignore_errors=True)
    hook_repo.mkdir(parents=True)
    for name in ("generator", "templates"):
        shutil.copytree(ROOT / name, hook_repo / name,
                        ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", ".pre-commit-hooks.yaml", "README.md", "LICENSE"):
        if (ROOT / name).is_file():
            shutil.copy(ROOT / name, hook_repo / name)
    if not (hook_repo / "README.md").exists():
        (hook_repo / "README.md").write_text("# runmodels\n")
    _git(hook_repo, "init", "-q", ".")
    _git(hook_repo, "add", "-A")
    _git(hook_repo, "commit", "-qm", "hook")  # fixed dates: same code, same rev
    rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=hook_repo, check=True,
                         capture_output=True, text=True).stdout.strip()
    (sample_repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hook_repo}\n    rev: {rev}\n    hooks:\n"
        "      - id: runmodels-check\n", encoding="utf-8")
    _git(sample_repo, "add", ".pre-commit-config.yaml")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home)}
    env.pop("PYTHONPATH", None)  # the hook must run the runmodels installed in its own env
    # drop environments of earlier revs whose sample repositories are gone
    subprocess.run([pre_commit, "gc"], env=env, capture_output=True, check=False)

    def pre_commit_run() -> subprocess.CompletedProcess[str]:
        return subprocess.run([pre_commit, "run", "runmodels-check", "--all-files"],
                              cwd=sample_repo, env=env, capture_output=True, text=True,
                              timeout=600, check=False)

    ok = pre_commit_run()
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Passed" in ok.stdout
    edit_spec(sample_repo, "enum: [open, shipped]", "enum: [open, shipped, lost]")
    _git(sample_repo, "add", "shop.yaml")
    stale = pre_commit_run()
    assert stale.returncode == 1, stale.stdout
    assert "Failed" in stale.stdout and 'LOST = "lost"' in stale.stdout


def test_no_client_generates_models_only(tmp_path: Path) -> None:
    spec = Path(__file__).resolve().parents[1] / "specs" / "runs_v2.yaml"
    result = CliRunner().invoke(main, ["generate", str(spec), "--out", str(tmp_path),
                                       "--package", "models_only", "--no-client", "-q"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "models_only" / "client.py").exists()
    assert (tmp_path / "models_only" / "models" / "run.py").exists()


def test_allow_root_lets_refs_reach_another_folder(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "api").mkdir()
    (tmp_path / "shared" / "common.yaml").write_text(
        "components:\n  schemas:\n    Money:\n      type: object\n"
        "      properties:\n        cents: {type: integer}\n")
    spec = tmp_path / "api" / "spec.yaml"
    spec.write_text("components:\n  schemas:\n    Price:\n      type: object\n      properties:\n"
                    "        amount: {$ref: '../shared/common.yaml#/components/schemas/Money'}\n")
    args = ["generate", str(spec), "--out", str(tmp_path / "out"), "--package", "p", "-q"]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2 and "--allow-root" in refused.output
    assert "Traceback" not in refused.output
    allowed = CliRunner().invoke(main, [*args, "--allow-root", str(tmp_path / "shared")])
    assert allowed.exit_code == 0, allowed.output
    assert (tmp_path / "out" / "p" / "models" / "price.py").is_file()


def test_an_internal_failure_is_one_message_not_a_traceback(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import runmodels.cli.main

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(runmodels.cli.main, "generate_package", broken)
    spec = Path(__file__).resolve().parents[1] / "specs" / "runs_v2.yaml"
    result = CliRunner().invoke(main, ["generate", str(spec), "--out", str(tmp_path),
                                       "--package", "p"])
    assert result.exit_code == 2
    assert "failed unexpectedly (RuntimeError: boom)" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_progress_bar_while_one_big_target_formats(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNMODELS_CACHE", "off")  # cold, so there is formatting to show
    spec = Path(__file__).resolve().parents[1] / "specs" / "runs_v2.yaml"
    args = ["generate", str(spec), "--out", str(tmp_path / "out"), "--package", "big"]
    code, output = _run_on_tty([*args, "--no-client"], tmp_path)
    assert code == 0, output
    assert "formatting big" in output  # cold: ~80 files to format
    piped = subprocess.run([sys.executable, "-m", "runmodels", *args], cwd=tmp_path,
                           env=_env(), capture_output=True, text=True, check=False)
    assert piped.returncode == 0 and "formatting" not in piped.stderr


@pytest.mark.slow
def test_a_warm_run_loads_no_loader_templates_or_black(project: Path, tmp_path: Path) -> None:
    """Nothing changed: the memo answers, so YAML, Jinja and black are never imported (a
    pre-commit hook pays only the start-up of the command)."""
    cache = {"RUNMODELS_CACHE": str(tmp_path / "cache")}
    assert proc("generate", cwd=project, env=cache).returncode == 0  # fills the memo
    probe = ("import sys; from runmodels.cli import main as cli\n"
             "try:\n    cli.main(['generate', '-q'])\nexcept SystemExit as exit:\n"
             "    code = exit.code\n"
             "print(code, sorted(m for m in ('yaml', 'jinja2', 'black', 'runmodels.spec.load', 'runmodels.spec.tree', "
             "'runmodels.emit.render') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=project, env=_env(cache),
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "0 []"
