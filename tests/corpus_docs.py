"""Every document of the shared corpus: generate it, import it, type-check it, round-trip examples.

Used by tests/test_corpus_realworld.py, and runnable as a script that prints the same table
(`python tests/corpus_docs.py [OUT_DIR]`), which is how before/after numbers are measured.
"""

from __future__ import annotations

import csv
import importlib
import inspect
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from corpus import SHARED, iter_examples

from runmodels.api import generate
from runmodels.build.names import snake
from runmodels.build.package_ir import build_package
from runmodels.errors import SpecError
from runmodels.options import Options
from runmodels.spec.load import SpecSet

CORPUS = SHARED / "corpus"
REALWORLD = CORPUS / "realworld"
SCHEMA_PREFIX = "#/components/schemas/"
JSON_MEDIA = re.compile(r"^application/([\w.+-]*\+)?json\b", re.IGNORECASE)


@dataclass(frozen=True)
class Doc:
    folder: str  # openai-openapi, realworld/real-api, …
    name: str  # the manifest id, or the file stem
    entry: Path

    @property
    def package(self) -> str:
        return "c_" + re.sub(r"\W", "_", self.name).lower()


def documents() -> list[Doc]:
    """The OpenAI files and every manifest entry of realworld/ (empty without ../shared)."""
    docs = [Doc("openai-openapi", path.stem, path)
            for path in sorted((CORPUS / "openai-openapi").glob("*.yaml"))]
    manifest = REALWORLD / "manifest.tsv"
    if manifest.is_file():
        with open(manifest, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                docs.append(Doc(f"realworld/{row['group']}", row["id"], REALWORLD / row["entry"]))
    return docs


@dataclass
class Outcome:
    doc: Doc
    refused: str | None = None  # the one-line message of a refusal
    crashed: str | None = None  # anything but a SpecError: always a bug
    warnings: tuple[str, ...] = ()
    imported: bool = False
    import_error: str | None = None
    mypy_errors: list[str] = field(default_factory=list)
    examples: int = 0
    round_tripped: int = 0
    not_objects: int = 0  # examples that are no JSON object, for an object schema: refused
    example_failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    form_methods: int = 0  # methods sending a multipart or URL-encoded form, or a file body

    @property
    def generated(self) -> bool:
        return self.refused is None and self.crashed is None


def generate_doc(doc: Doc, out: Path) -> Outcome:
    outcome = Outcome(doc)
    start = time.perf_counter()
    try:
        result = generate(doc.entry, out, doc.package)
        outcome.warnings = tuple(w.format() for w in result.warnings)
        client = out / doc.package / "client.py"
        if client.is_file():
            # the methods of Client (AsyncClient has the same ones)
            source = client.read_text(encoding="utf-8").split("\nclass AsyncClient", 1)[0]
            outcome.form_methods = sum(source.count(f"_multipart.{encode}(")
                                       for encode in ("multipart_body", "form_body",
                                                      "binary_body"))
    except SpecError as error:
        outcome.refused = error.format().splitlines()[0]
    except Exception as error:  # noqa: BLE001 - reported by name as a failure
        outcome.crashed = f"{type(error).__name__}: {error}"
    outcome.seconds = time.perf_counter() - start
    return outcome


def import_package(outcome: Outcome, out: Path) -> ModuleType | None:
    """The package and every one of its modules imported (the lazy __init__ hides none)."""
    if str(out) not in sys.path:
        sys.path.insert(0, str(out))
    try:
        module = importlib.import_module(outcome.doc.package)
        for path in sorted((out / outcome.doc.package).rglob("*.py")):
            rel = path.relative_to(out).with_suffix("")
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            importlib.import_module(".".join(parts))
    except Exception as error:  # noqa: BLE001 - reported by name as a failure
        outcome.import_error = f"{type(error).__name__}: {error}"
        return None
    outcome.imported = True
    return module


def run_mypy(outcomes: list[Outcome], out: Path) -> float:
    """One `mypy --strict` over every generated package; errors are filed under their package."""
    packages = [o.doc.package for o in outcomes if o.generated]
    if not packages:
        return 0.0
    start = time.perf_counter()
    args = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--no-error-summary",
            "--cache-dir", "/dev/null"]
    for package in packages:
        args += ["-p", package]
    result = subprocess.run(args, cwd=out, capture_output=True, text=True, check=False,
                            timeout=1500)
    by_package = {o.doc.package: o for o in outcomes}
    for line in result.stdout.splitlines():
        first = line.split("/", 1)[0].split(":", 1)[0].removesuffix(".py")
        owner = by_package.get(first)
        if owner is not None and ": error:" in line:
            owner.mypy_errors.append(line)
    if result.returncode not in (0, 1) or (result.returncode == 1 and not any(
            o.mypy_errors for o in outcomes)):
        raise AssertionError(f"mypy failed to run: {result.stdout[-3000:]}{result.stderr[-3000:]}")
    return time.perf_counter() - start


# ---- examples --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    where: str
    schema: str | None  # the component schema key the example is written for, if it is one
    data: Any
    method: str | None = None  # else: the client method whose result the example is


def _plain(value: Any) -> Any:
    """Plain dicts and lists (the loader's containers carry positions)."""
    return json.loads(json.dumps(value))


class _Finder:
    """Examples next to a `$ref` to a component schema: in components and in operations."""

    def __init__(self, specs: SpecSet) -> None:
        self.specs = specs
        comps = specs.root.get("components") if isinstance(specs.root, dict) else None
        schemas = comps.get("schemas") if isinstance(comps, dict) else None
        self.schemas: dict[str, Any] = schemas if isinstance(schemas, dict) else {}
        self.by_id = {id(node): key for key, node in self.schemas.items()}

    def deref(self, node: Any, file: Path) -> tuple[Any, Path]:
        if isinstance(node, dict) and isinstance(node.get("$ref"), str):
            try:
                file, _, node = self.specs.resolve_ref(node["$ref"], file, node)
            except SpecError:
                return None, file
        return node, file

    def component(self, schema: Any, file: Path) -> str | None:
        target, _ = self.deref(schema, file)
        return self.by_id.get(id(target))

    def examples(self) -> Iterator[Example]:
        root_file = self.specs.root_file
        for key, schema in self.schemas.items():
            if isinstance(schema, dict) and "example" in schema:
                yield Example(f"{SCHEMA_PREFIX}{key} example", key, _plain(schema["example"]))
        paths = self.specs.root.get("paths")
        for path, item in (paths.items() if isinstance(paths, dict) else ()):
            item, file = self.deref(item, root_file)
            for method, op in (item.items() if isinstance(item, dict) else ()):
                op, op_file = self.deref(op, file)
                if not isinstance(op, dict):
                    continue
                where = f"{str(method).upper()} {path}"
                op_id = op.get("operationId")
                client_method = snake(op_id if isinstance(op_id, str) and snake(op_id)
                                      else f"{method} {path}")
                bodies = [("requestBody", op.get("requestBody"))]
                responses = op.get("responses")
                if isinstance(responses, dict):
                    bodies += [(f"responses/{code}", r) for code, r in responses.items()
                               if str(code).startswith("2")]
                for label, body in bodies:
                    body, body_file = self.deref(body, op_file)
                    content = body.get("content") if isinstance(body, dict) else None
                    for media, value in (content.items() if isinstance(content, dict) else ()):
                        if JSON_MEDIA.match(str(media)) and isinstance(value, dict):
                            yield from self._media(
                                f"{where} {label} {media}", value, body_file,
                                client_method if label.startswith("responses/") else None)

    def _media(self, where: str, media: dict[str, Any], file: Path,
               method: str | None) -> Iterator[Example]:
        """A media type's examples, for its component schema or else the method's result."""
        key = self.component(media.get("schema"), file)
        if key is None and method is None:
            return
        if "example" in media:
            yield Example(f"{where} example", key, _plain(media["example"]), method)
        examples = media.get("examples")
        for name, example in (examples.items() if isinstance(examples, dict) else ()):
            example, _ = self.deref(example, file)
            if isinstance(example, dict) and "value" in example:
                yield Example(f"{where} examples/{name}", key, _plain(example["value"]), method)


def doc_examples(doc: Doc) -> list[Example]:
    """The examples of a document that name the component schema they are written for."""
    specs = SpecSet(doc.entry, [doc.entry.parent])
    found = list(_Finder(specs).examples())
    if doc.folder == "openai-openapi":
        for example in iter_examples(_plain(specs.root)):
            if example.schema is not None and example.event is None:
                try:
                    found.append(Example(example.where, example.schema, example.data()))
                except json.JSONDecodeError:
                    continue
    return found


def _decoder(module: ModuleType, py_name: str) -> Any:
    target = getattr(module, py_name)
    if hasattr(target, "from_dict"):
        return target.from_dict
    return getattr(module, f"decode_{snake(py_name)}", None)


def _result_class(module: ModuleType, method: str | None) -> str | None:
    """The model or union a client method decodes its result as (a schema of another file)."""
    client = getattr(module, "Client", None)
    function = getattr(client, method, None) if client is not None and method else None
    if function is None:
        return None
    returns = inspect.signature(function).return_annotation
    if isinstance(returns, str) and returns.isidentifier() and hasattr(module, returns):
        return returns
    return None


def round_trip_examples(outcome: Outcome, module: ModuleType) -> None:
    """Decode each example leniently and encode it back: it must come back unchanged."""
    doc = outcome.doc
    names = dict(build_package(Options(doc.entry, doc.package)).schema_names)
    for example in doc_examples(doc):
        py_name = names.get(example.schema) if example.schema else _result_class(
            module, example.method)
        decoder = _decoder(module, py_name) if py_name else None
        if decoder is None:
            continue
        if hasattr(getattr(module, py_name), "from_dict") and not isinstance(example.data, dict):
            # no model can hold a string or a list: lenient decoding keeps every value of an
            # object, and refuses what is no object at all, with the package's DecodeError
            try:
                decoder(example.data)
            except module.DecodeError:
                outcome.not_objects += 1
            else:
                outcome.example_failures.append(f"{example.where} as {py_name}: a non-object "
                                                "example was accepted")
            continue
        outcome.examples += 1
        try:
            back = module.encode(decoder(example.data))
        except Exception as error:  # noqa: BLE001 - reported by name as a failure
            outcome.example_failures.append(
                f"{example.where} as {py_name}: {type(error).__name__}: {str(error)[:300]}")
            continue
        if back == example.data:
            outcome.round_tripped += 1
        else:
            outcome.example_failures.append(f"{example.where} as {py_name}: comes back changed")


# ---- the whole run ---------------------------------------------------------------------------


def run_all(out: Path, docs: list[Doc] | None = None) -> tuple[list[Outcome], dict[str, float]]:
    outcomes: list[Outcome] = []
    times: dict[str, float] = {}
    start = time.perf_counter()
    for doc in docs if docs is not None else documents():
        outcomes.append(generate_doc(doc, out))
    times["generate"] = time.perf_counter() - start
    start = time.perf_counter()
    for outcome in outcomes:
        if outcome.generated:
            module = import_package(outcome, out)
            if module is not None:
                round_trip_examples(outcome, module)
    times["import + examples"] = time.perf_counter() - start
    times["mypy"] = run_mypy(outcomes, out)
    return outcomes, times


def table(outcomes: list[Outcome], times: dict[str, float]) -> str:
    folders = sorted({o.doc.folder for o in outcomes})
    head = ("| folder | documents | generated | refused | with warnings | imported | mypy clean "
            "| examples round-tripped | non-object examples refused | form and file body methods |")
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for folder in folders + ["all"]:
        rows = [o for o in outcomes if folder in ("all", o.doc.folder)]
        gen = [o for o in rows if o.generated]
        lines.append(
            f"| {folder} | {len(rows)} | {len(gen)} | {sum(o.refused is not None for o in rows)}"
            f" | {sum(bool(o.warnings) for o in gen)} | {sum(o.imported for o in gen)}"
            f" | {sum(o.imported and not o.mypy_errors for o in gen)}"
            f" | {sum(o.round_tripped for o in rows)} / {sum(o.examples for o in rows)}"
            f" | {sum(o.not_objects for o in rows)} | {sum(o.form_methods for o in rows)} |")
    lines.append("")
    lines.append("seconds: " + ", ".join(f"{k} {v:.0f}" for k, v in times.items()))
    return "\n".join(lines)


def failures(outcomes: list[Outcome]) -> dict[str, list[str]]:
    """Every failure, by kind, each naming its document."""
    found: dict[str, list[str]] = {"refused": [], "crashed": [], "import": [], "mypy": [],
                                   "examples": []}
    for o in outcomes:
        name = f"{o.doc.folder}/{o.doc.name}"
        if o.refused:
            found["refused"].append(f"{name}: {o.refused}")
        if o.crashed:
            found["crashed"].append(f"{name}: {o.crashed}")
        if o.import_error:
            found["import"].append(f"{name}: {o.import_error}")
        if o.mypy_errors:
            found["mypy"].append(f"{name}: {len(o.mypy_errors)} errors, first: "
                                 f"{o.mypy_errors[0]}")
        found["examples"] += [f"{name}: {f}" for f in o.example_failures]
    return found


def report(outcomes: list[Outcome], times: dict[str, float]) -> str:
    text = [table(outcomes, times)]
    for kind, items in failures(outcomes).items():
        if items:
            text.append(f"\n{kind} ({len(items)}):")
            text += [f"  {item}" for item in items]
    return "\n".join(text)


if __name__ == "__main__":
    import tempfile

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    target.mkdir(parents=True, exist_ok=True)
    results, spent = run_all(target)
    print(report(results, spent))
