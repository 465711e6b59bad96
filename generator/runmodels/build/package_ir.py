"""Spec -> Package: choose the roots (all, or a selection), resolve them, split into modules."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from runmodels.build.client_plan import build_client_plan
from runmodels.build.modules import plan_modules, with_tags
from runmodels.build.operations import OperationSet, build_operations, servers, wants_operations
from runmodels.build.resolve import Resolver
from runmodels.errors import SpecError
from runmodels.ir.nodes import Package, Union
from runmodels.paths import display_path
from runmodels.spec.inputs import InputLog
from runmodels.spec.load import SpecSet


def build_package(spec: Path, package: str, select: Sequence[str] = (), *,
                  client: bool = True, allow_roots: Sequence[Path] = (),
                  overlays: Sequence[Path] = (), log: InputLog | None = None) -> Package:
    """The IR of one package; `client=False` leaves the operations (and the client) out.

    `$ref`s may reach files in the spec's folder and in `allow_roots`, nowhere else; the
    `overlays` (OpenAPI Overlay documents) are applied to the spec, in order, before it is read.
    `log` records every file read (what the run memo checks).
    """
    specs = SpecSet(Path(spec), [Path(spec).parent, *allow_roots], overlays, log)
    root = specs.root
    if not isinstance(root, dict) or not any(k in root for k in ("components", "paths")):
        raise SpecError(
            "not an OpenAPI document or fragment: no `components` and no `paths`",
            file=display_path(spec), line=1, column=1,
            hint="point runmodels at an OpenAPI 3.0/3.1 YAML or JSON file",
        )
    _check_containers(specs, display_path(spec))
    resolver = Resolver(specs, display_path(spec))
    for key in _selected_components(resolver, select, spec):
        resolver.add_component(key)
    wanted = client and wants_operations(select)
    ops = build_operations(resolver, select) if wanted else OperationSet(
        (), servers(root), ())
    resolver.drain()
    entities = dict(resolver.entities)
    for name, entity in list(entities.items()):
        if isinstance(entity, Union):
            entities[name] = with_tags(entity, entities)
    plan = build_client_plan(ops.operations, entities)
    info = root.get("info")
    title = info.get("title") if isinstance(info, dict) else None
    if not isinstance(title, str):
        title = package
    return Package(
        name=package,
        title=title,
        spec_display=display_path(spec) + "".join(f" + overlay {display_path(o)}"
                                                  for o in overlays),
        entities=entities,
        modules=plan_modules(entities, resolver.owner),
        operations=ops.operations,
        servers=ops.servers,
        fixed_headers=ops.fixed_headers,
        warnings=(*specs.warnings, *resolver.warnings, *plan.warnings),
        overlay_warnings=tuple(specs.warnings),
        schema_names=resolver.schema_names(),
        client=plan,
    )


def _check_containers(specs: SpecSet, display: str) -> None:
    """`components`, `components.schemas` and `paths` must be mappings when present."""
    for parent, key, pointer in ((specs.root, "components", "#/components"),
                                 (specs.root.get("components"), "schemas", "#/components/schemas"),
                                 (specs.root, "paths", "#/paths")):
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is not None and not isinstance(value, dict):
            kind = "a list" if isinstance(value, list) else f"the scalar {str(value)[:40]!r}"
            _, line, column = specs.location(parent, key)
            raise SpecError(f"`{key}` must be a mapping, not {kind}",
                            file=display, line=line, column=column, pointer=pointer,
                            hint=f"write `{key}:` as a mapping of names to objects")


def _selected_components(resolver: Resolver, select: Sequence[str], spec: Path) -> list[str]:
    available = sorted(resolver.components())
    if not select:
        return available
    chosen: list[str] = []
    for item in select:
        if item in resolver.components():
            chosen.append(item)
        elif not item.startswith(("tag:", "path:")):
            close = difflib.get_close_matches(item, available, n=3)
            hint = f"did you mean {', '.join(close)}?" if close else "check the schema name"
            raise SpecError(f"--select names {item!r}, which is not a component schema",
                            file=display_path(spec), hint=hint)
    return chosen
