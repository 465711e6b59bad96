"""From resolved entities to a Package: union dispatch tags and the split into modules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from runmodels.build import names
from runmodels.ir.nodes import Entity, Enum, Model, Module, Union
from runmodels.ir.queries import flat_variants, references

TAG_PREFERENCE = ("type", "event", "object")


def _const_of(model: Model, json_name: str, entities: dict[str, Entity]) -> str | None:
    """The one value member `json_name` can take (a `const` or a one-member enum), if any."""
    for f in model.fields:
        if f.json_name == json_name:
            const = f.type.constraints.const
            enum = entities.get(f.type.ref) if f.type.kind == "enum" else None
            if isinstance(enum, Enum) and len(enum.members) == 1:
                const = (enum.members[0].value,)
            if const and len(const) == 1 and isinstance(const[0], str):
                return const[0]
    return None


def with_tags(union: Union, entities: dict[str, Entity]) -> Union:
    """Fill in how object variants are told apart: the discriminator, else a one-value member."""
    found = [entities.get(v.ref) for v in flat_variants(union, entities) if v.kind == "model"]
    models = [m for m in found if isinstance(m, Model)]
    if union.tag is not None:
        pairs = dict(union.tag_map)
        for m in models:
            value = _const_of(m, union.tag, entities)
            if value is not None and value not in pairs:
                pairs[value] = m.name
            elif value is None and m.name not in pairs.values():
                pairs[m.origin.pointer.rsplit("/", 1)[-1]] = m.name
        return _replace_tags(union, union.tag, pairs)
    if len(models) < 2:
        return union
    candidates = [f.json_name for f in models[0].fields if _const_of(models[0], f.json_name, entities)]
    candidates.sort(key=lambda n: (TAG_PREFERENCE.index(n) if n in TAG_PREFERENCE else 9, n))
    for prop in candidates:
        values = [_const_of(m, prop, entities) for m in models]
        if all(values) and len(set(values)) == len(values):
            return _replace_tags(union, prop, {v: m.name for v, m in zip(values, models) if v})
    return union


def _replace_tags(union: Union, tag: str, pairs: dict[str, str]) -> Union:
    return Union(union.name, union.origin, union.variants, union.description, tag,
                 tuple(sorted(pairs.items())))


def _strongly_connected(nodes: Iterable[str], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative; components come out dependencies first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    result: list[list[str]] = []
    counter = 0
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                result.append(sorted(group))
    return result


def _module_order(group: list[str]) -> tuple[str, bool, str]:
    """Groups whose module names clash (`Run`, `RUN` -> run.py) claim in a stable order: the
    class the name spells (`Run`) first, so adding `RUN` never moves `Run` to run2.py."""
    base = names.module_name(group[0])
    return base.lower(), names.pascal(base) != group[0], group[0]


def plan_modules(entities: dict[str, Entity], owner: dict[str, str]) -> tuple[Module, ...]:
    """One module per component and its inline schemas; mutually recursive ones share a module."""
    roots = sorted({owner.get(name, name) for name in entities})
    members: dict[str, list[str]] = defaultdict(list)
    for name in sorted(entities):
        members[owner.get(name, name)].append(name)
    edges: dict[str, set[str]] = defaultdict(set)
    for name, entity in entities.items():
        for ref in references(entity, entities):
            if ref in entities and owner.get(ref, ref) != owner.get(name, name):
                edges[owner.get(name, name)].add(owner.get(ref, ref))
    groups = _strongly_connected(roots, edges)
    module_of_root: dict[str, str] = {}
    namer = names.Namer()
    plans: list[tuple[str, list[str]]] = []
    for group in sorted(groups, key=_module_order):
        module = namer.claim(names.module_name(group[0]))
        ordered: list[str] = []
        for root in group:
            ordered.append(root) if root in entities else None
            ordered.extend(n for n in members[root] if n != root)
        for root in group:
            module_of_root[root] = module
        plans.append((module, ordered))
    modules = []
    for module, ordered in plans:
        needed: dict[str, set[str]] = defaultdict(set)
        for name in ordered:
            for ref in references(entities[name], entities):
                if ref in entities:
                    other = module_of_root[owner.get(ref, ref)]
                    if other != module:
                        needed[other].add(ref)
        imports = tuple((m, tuple(sorted(refs))) for m, refs in sorted(needed.items()))
        modules.append(Module(module, tuple(ordered), imports))
    return tuple(modules)
