"""Every command and code block in README.md and docs/*.md works as written.

Each page is played from top to bottom in a scratch project that holds a copy of `specs/` and
`tests/payloads/`, against the installed runmodels and the committed `generated/` packages:

- ```console / ```bash / ```sh: every `$ ` line runs in bash from the project folder and must
  exit 0, or the N that a trailing `# exits N` names. A line that reads the corpus
  (`../shared/…`) runs when it is beside the checkout; without it the page's test runs the rest
  and then skips, naming those lines.
- ```python: the page's Python blocks so far run as one program (a later block sees the names of
  the earlier ones) and the page's whole program passes `mypy --strict`. docs/client.md runs
  against the fake server (OPENAI_BASE_URL and OPENAI_API_KEY point at it).
- ```toml / ```yaml: must parse. A YAML list of CI steps runs each `run:` like a console line,
  except the step that installs runmodels (this environment already has it, and the network).
- ```text, ```markdown, ```json and unlabelled blocks are sample output or layout, not run.

An HTML comment just before a block steers it:
`<!-- docs-test: file PATH -->` writes the block to PATH in the project (`append PATH` adds to
it); `<!-- docs-test: prelude ... -->` is Python run before the block but not shown, for values
the reader has of their own (a response body); `<!-- docs-test: skip: REASON -->` skips the block
visibly, for placeholders only the reader can fill in (a path, a URL).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from fake_runs_server import API_KEY, start_fake_server

pytestmark = pytest.mark.slow  # seconds to minutes: left out of `pytest -m "not slow"`

if sys.version_info >= (3, 11):
    import tomllib
else:  # black depends on tomli on Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["README.md", *sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md"))]
FENCE = re.compile(
    r"(?:<!-- docs-test: (?P<directive>.*?)-->\n)?^```(?P<info>[^\n`]*)\n(?P<body>.*?)^```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
SHELL = {"console", "bash", "sh", "shell"}
INERT = {"", "text", "jinja", "markdown", "json"}
TIMEOUT = 300


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    info: str
    body: str
    directive: str

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def blocks_of(page: str) -> list[Block]:
    text = (ROOT / page).read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        line = text.count("\n", 0, match.start("info")) + 1
        found.append(Block(page, line, match["info"].strip(), match["body"],
                           (match["directive"] or "").strip()))
    return found


def _environment(tmp: Path, base_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        "PYTHONPATH": str(ROOT / "generated"),
        "RUNMODELS_CACHE": str(tmp / "cache"),
        "PRE_COMMIT_HOME": str(tmp / "pre-commit"),
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": API_KEY,
        "NO_COLOR": "1",
    })
    return env


SHARED = ROOT.parent / "shared"


def _project(tmp: Path) -> Path:
    project = tmp / "project"
    if SHARED.is_dir():  # examples may use the corpus beside the checkout, as `../shared/…`
        (tmp / "shared").symlink_to(SHARED, target_is_directory=True)
    shutil.copytree(ROOT / "specs", project / "specs")
    shutil.copytree(ROOT / "tests" / "payloads", project / "tests" / "payloads")
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    return project


def _run_shell(command: str, project: Path, env: dict[str, str], where: str) -> None:
    wanted = re.search(r"#\s*exits (\d+)", command)
    if (project / ".git").is_dir():
        subprocess.run(["git", "add", "-A"], cwd=project, check=True, env=env)
    result = subprocess.run(["bash", "-c", command], cwd=project, env=env, capture_output=True,
                            text=True, timeout=TIMEOUT, check=False)
    expected = int(wanted.group(1)) if wanted else 0
    assert result.returncode == expected, (
        f"{where}: `{command}` exited {result.returncode}, not {expected}\n"
        f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def _prelude(block: Block) -> str:
    return block.directive[len("prelude"):].strip() + "\n" if block.directive.startswith(
        "prelude") else ""


def _write(block: Block, project: Path) -> None:
    verb, _, target = block.directive.partition(" ")
    if verb not in ("file", "append"):
        return
    path = project / target.strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if verb == "append" else "w", encoding="utf-8") as handle:
        handle.write(block.body)


@pytest.fixture(scope="module")
def fake_server() -> Iterator[str]:
    with start_fake_server() as (base_url, state):
        # the docs' examples use a thread of the reader's own
        state.threads["thread_abc"] = dict(state.create_thread(), id="thread_abc")
        yield base_url


@pytest.mark.parametrize("page", PAGES)
def test_page_works_as_written(page: str, tmp_path: Path, fake_server: str) -> None:
    project = _project(tmp_path)
    env = _environment(tmp_path, fake_server)
    program = ""
    without_corpus: list[str] = []
    for block in blocks_of(page):
        if block.directive.startswith("skip:"):
            continue  # reported by test_placeholder_block
        _write(block, project)
        if block.info in SHELL:
            commands = [line[2:] for line in block.body.splitlines() if line.startswith("$ ")]
            assert commands, f"{block.where}: a {block.info} block without `$ ` commands"
            for command in commands:
                if "../shared/" in command and not SHARED.is_dir():
                    without_corpus.append(f"{block.where}: {command}")
                    continue
                _run_shell(command, project, env, block.where)
        elif block.info == "python":
            program += f"# {block.where}\n{_prelude(block)}{block.body}\n"
            (project / "docs_program.py").write_text(program, encoding="utf-8")
            result = subprocess.run([sys.executable, "docs_program.py"], cwd=project, env=env,
                                    capture_output=True, text=True, timeout=TIMEOUT, check=False)
            assert result.returncode == 0, f"{block.where}:\n{program}\n{result.stderr[-3000:]}"
        elif block.info == "toml":
            tomllib.loads(block.body)
        elif block.info == "yaml":
            data = yaml.safe_load(block.body)
            steps = data if isinstance(data, list) else []
            for step in steps:
                command = step.get("run") if isinstance(step, dict) else None
                if command and "pip install" not in command:
                    _run_shell(command, project, env, block.where)
        else:
            assert block.info in INERT, f"{block.where}: unknown block kind {block.info!r}"
    if program:
        (project / "docs_program.py").write_text(program, encoding="utf-8")
        mypy = subprocess.run(
            [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "docs_program.py"],
            cwd=project, env=dict(env, MYPYPATH=str(ROOT / "generated")), capture_output=True,
            text=True, timeout=TIMEOUT, check=False)
        assert mypy.returncode == 0, f"{page}: mypy --strict\n{mypy.stdout}\n{program}"
    if without_corpus:
        pytest.skip("everything else ran; these need ../shared beside the checkout: "
                    + "; ".join(without_corpus))


PLACEHOLDERS = [b for page in PAGES for b in blocks_of(page) if b.directive.startswith("skip:")]


@pytest.mark.parametrize("block", PLACEHOLDERS, ids=lambda b: b.where)
def test_placeholder_block(block: Block) -> None:
    """Blocks that only the reader can complete are skipped, each visibly and with its reason."""
    pytest.skip(block.directive[len("skip:"):].strip())


def test_directives_are_understood() -> None:
    """A misspelt directive would silently turn a check off."""
    for page in PAGES:
        for block in blocks_of(page):
            verb = re.split(r"[\s:]", block.directive, maxsplit=1)[0]
            assert verb in ("", "file", "append", "prelude", "skip"), (block.where, verb)
            if block.directive.startswith("skip"):
                assert block.directive.startswith("skip:") and block.directive[5:].strip()
