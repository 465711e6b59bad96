"""Schemas -> entities: follow `$ref`, merge `allOf`, read unions and nullability, name inline schemas."""

from __future__ import annotations

import dataclasses
from collections import deque
from pathlib import Path
from typing import Any, Protocol

from runmodels.build import names
from runmodels.build.schema import (
    PRIM_OF_TYPE,
    constraints_of,
    description_of,
    enum_info,
    is_annotation_only,
    is_null_schema,
    says_nullable,
    type_list,
)
from runmodels.errors import RefError, SpecError, SpecWarning
from runmodels.ir.nodes import (
    ANY_TYPE,
    Alias,
    Entity,
    Enum,
    EnumMember,
    Field,
    Model,
    Origin,
    StatusHelper,
    TypeRef,
    Union,
)
from runmodels.paths import shown_path
from runmodels.spec.pointer import escape as escape_pointer
from runmodels.spec.pointer import unescape

STATUS_EXTENSION = "x-runmodels-status"
NAME_EXTENSION = "x-runmodels-name"  # the class name of a schema, inline or component
FIELD_EXTENSION = "x-runmodels-field"  # on a property: its Python attribute name
MAX_TYPE_DEPTH = 100  # schemas nested inside one type (array items, map values, single refs)
MAX_ALLOF_DEPTH = 100  # allOf members that are allOfs themselves, one inside the other


class Specs(Protocol):
    """What the resolver needs from the loader."""

    root: Any
    root_file: Path

    def resolve_ref(self, ref: str, base_file: Path, at: Any = None) -> tuple[Path, str, Any]: ...

    def location(
        self, node: Any, key: str | None = None
    ) -> tuple[Path | None, int | None, int | None]: ...


def chosen_name(node: Any) -> str | None:
    """The name a schema's x-runmodels-name asks for, when it is a non-empty string."""
    name = node.get(NAME_EXTENSION) if isinstance(node, dict) else None
    return name if isinstance(name, str) and name.strip() else None


class Resolver:
    """Turns the schemas reachable from some roots into named entities."""

    def __init__(self, specs: Specs, display: str) -> None:
        self.specs = specs
        self.display = display
        self.entities: dict[str, Entity] = {}
        self.owner: dict[str, str] = {}
        self.warnings: list[SpecWarning] = []
        self._warned: set[SpecWarning] = set()
        self._namer = names.Namer(fold_case=False)  # class names: Run and RUN both stay
        self._named: dict[int, str] = {}  # id(schema node) -> entity name
        self._kinds: dict[str, str] = {}
        self._component_keys: dict[int, str] = {}  # id(component node) -> key in the spec
        self._queue: deque[tuple[str, Any, Path, str]] = deque()
        self._owner_now: str | None = None
        self._in_flight: set[int] = set()
        self._shown: dict[Path, str] = {}  # Path.resolve() is slow: once per file and run
        self._reserve_components()

    # ---- entry points -------------------------------------------------------------------------

    def components(self) -> dict[str, Any]:
        comps = self.specs.root.get("components") if isinstance(self.specs.root, dict) else None
        schemas = comps.get("schemas") if isinstance(comps, dict) else None
        return schemas if isinstance(schemas, dict) else {}

    def add_component(self, key: str) -> None:
        """Generate the component schema `key` (and everything it references)."""
        node = self.components()[key]
        pointer = f"/components/schemas/{escape_pointer(key)}"
        self._owner_now = None
        ref = self.type_of(node, self.specs.root_file, pointer, key)
        self._alias_component(key, node, pointer, ref)
        self.drain()

    def _alias_component(self, key: str, node: Any, pointer: str, ref: TypeRef) -> None:
        """A component that is no class of its own (a map, a list, a string…) is a type alias."""
        name = self._component_names.get(key)
        if self._named.get(id(node)) is not None or ref.ref == name or name in self.entities:
            return
        alias_name = self._claim_component(node, key)
        self._add(Alias(alias_name, self._origin(node, self.specs.root_file, pointer), ref,
                        description_of(node)))
        self.owner.setdefault(alias_name, alias_name)

    def schema_names(self) -> tuple[tuple[str, str], ...]:
        """Each generated component schema's key in the spec and its Python name."""
        return tuple(
            (key, name) for key, name in sorted(self._component_names.items())
            if name in self.entities
        )

    def drain(self) -> None:
        """Build every entity created so far, until nothing new turns up."""
        while self._queue:
            name, node, file, pointer = self._queue.popleft()
            self._owner_now = self.owner[name]
            kind = self._kinds[name]
            if kind == "model":
                self._add(self._build_model(name, node, file, pointer))
            elif kind == "union":
                self._add(self._build_union(name, node, file, pointer))
        self._owner_now = None

    # ---- naming ------------------------------------------------------------------------------

    def _reserve_components(self) -> None:
        for key in sorted(self.components()):
            node = self.components()[key]
            if isinstance(node, dict) and id(node) not in self._component_keys:
                self._component_keys[id(node)] = key
        # component names win over inline names: claim them all first, those an
        # x-runmodels-name chose before the others; when two keys spell one class name (`Run`,
        # `run`), the key that is that name keeps it
        components = self.components()
        order = sorted(components, key=lambda k: (chosen_name(components[k]) is None,
                                                  names.class_name(k) != k, k))
        self._component_names = {key: self._claim(components[key], key, self.specs.root_file,
                                                  f"/components/schemas/{escape_pointer(key)}")
                                 for key in order}

    def _claim(self, node: Any, hint: str, file: Path, pointer: str) -> str:
        """A class name for a schema: its x-runmodels-name when free (else a warning), or hint."""
        chosen = chosen_name(node)
        name = self._namer.claim(names.class_name(chosen or hint))
        if chosen is not None and name != names.class_name(chosen):
            self.warn("chosen-name-taken", f"{NAME_EXTENSION} {chosen!r} is taken", node, file,
                      pointer, key=NAME_EXTENSION, repair=f"the class is named {name}",
                      hint="choose a name no other schema has")
        return name

    def _claim_component(self, node: Any, key: str) -> str:
        return self._component_names.get(key) or self._namer.claim(names.class_name(key))

    def _entity_name(self, node: Any, hint: str, file: Path, pointer: str) -> str:
        key = self._component_keys.get(id(node))
        if key is not None:
            return self._component_names[key]
        return self._claim(node, hint, file, pointer)

    def _new_entity(self, kind: str, node: Any, file: Path, pointer: str, hint: str) -> str:
        name = self._entity_name(node, hint, file, pointer)
        self._named[id(node)] = name
        self._kinds[name] = kind
        is_component = id(node) in self._component_keys
        self.owner[name] = name if is_component or self._owner_now is None else self._owner_now
        if kind in ("model", "union"):
            self._queue.append((name, node, file, pointer))
        return name

    # ---- errors ------------------------------------------------------------------------------

    def fail(self, message: str, node: Any, file: Path, pointer: str, hint: str | None = None,
             key: str | None = None) -> SpecError:
        where_file, line, column = self.specs.location(node, key)
        if line is None and "/" in pointer:  # a scalar has no position: use its key's
            parent, _, last = pointer.rpartition("/")
            try:
                where_file, _, holder = self.specs.resolve_ref("#" + parent, file)
            except SpecError:
                holder = None
            token = unescape(last)
            _, line, column = self.specs.location(holder, token if token in (holder or {}) else None)
        return SpecError(message, file=self.show(where_file or file), line=line, column=column,
                         pointer="#" + pointer, hint=hint)

    def warn(self, code: str, message: str, node: Any, file: Path, pointer: str,
             key: str | None = None, repair: str = "", hint: str | None = None) -> None:
        """Record a defect local to one schema or operation, and the repair made for it."""
        where_file, line, column = self.specs.location(node, key)
        warning = SpecWarning(code, message, repair, hint, self.show(where_file or file), line,
                              column, "#" + pointer)
        if warning not in self._warned:  # a schema typed Any is met again at each use
            self._warned.add(warning)
            self.warnings.append(warning)

    def note(self, code: str, message: str, node: Any, file: Path, pointer: str) -> None:
        """Like warn, for what the generator leaves out by design (not a defect of the spec)."""
        count = len(self.warnings)
        self.warn(code, message, node, file, pointer)
        if len(self.warnings) > count:
            self.warnings[-1] = dataclasses.replace(self.warnings[-1], limitation=True)

    def show(self, file: Path) -> str:
        """The file as messages name it: relative to the working folder when inside it."""
        shown = self._shown.get(file)
        if shown is None:
            shown = self._shown[file] = shown_path(file)
        return shown

    def _origin(self, node: Any, file: Path, pointer: str) -> Origin:
        _, line, column = self.specs.location(node)
        return Origin(self.show(file), pointer, line, column)

    # ---- types -------------------------------------------------------------------------------

    def follow(self, node: Any, file: Path, pointer: str = "") -> tuple[Any, Path, str]:
        """The node a `$ref` chain leads to, with its file and pointer (RefError when one leads
        nowhere); a node that is no `$ref` is itself."""
        node, file, pointer, _ = self._deref(node, file, pointer)
        return node, file, pointer

    def standalone_type(self, node: Any, file: Path, pointer: str, hint: str) -> TypeRef:
        """`type_of` a schema no entity contains (an operation's parameter, body or response):
        the entities it creates inline belong to no other entity's module."""
        self._owner_now = None
        return self.type_of(node, file, pointer, hint)

    def _deref(self, node: Any, file: Path, pointer: str = "") -> tuple[Any, Path, str, bool]:
        """Follow `$ref` chains; also report whether a sibling of some `$ref` said nullable."""
        nullable = False
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            nullable = nullable or says_nullable(node)
            file, pointer, node = self.specs.resolve_ref(node["$ref"], file, node)
        return node, file, pointer, nullable

    def _peek(self, node: Any, file: Path) -> Any:
        """The schema a node stands for, or None when its `$ref` leads nowhere (warned later)."""
        try:
            return self._deref(node, file)[0]
        except RefError:
            return None

    def type_of(self, node: Any, file: Path, pointer: str, hint: str) -> TypeRef:
        """The type of the schema `node`, creating named entities for objects, enums and unions."""
        if isinstance(node, dict) and "$ref" in node:
            if not isinstance(node["$ref"], str):
                raise self.fail("$ref must be a string", node, file, pointer, key="$ref",
                                hint="write $ref: '#/components/schemas/Name'")
            try:
                target, tfile, tpointer, nullable = self._deref(node, file, pointer)
            except RefError as error:
                self.warn("ref-unresolved", error.message, node, file, pointer, key="$ref",
                          repair="typed as Any", hint=error.hint)
                return ANY_TYPE
            key = self._component_keys.get(id(target))
            tref = self.type_of(target, tfile, tpointer, key or tpointer.rsplit("/", 1)[-1] or hint)
            if key is not None and tpointer == f"/components/schemas/{escape_pointer(key)}":
                self._alias_component(key, target, tpointer, tref)
            return tref.with_nullable() if nullable and not tref.nullable else tref
        if node is True or node == {}:
            return ANY_TYPE
        if not isinstance(node, dict):
            kind = "a list" if isinstance(node, list) else f"the scalar {str(node)[:40]!r}"
            raise self.fail(f"a schema must be a mapping, not {kind}", node, file,
                            pointer, hint="write an object schema, e.g. {type: string}")
        named = self._named.get(id(node))
        if named is not None:
            return TypeRef(self._kinds[named], ref=named, nullable=says_nullable(node))  # type: ignore[arg-type]
        if id(node) in self._in_flight:
            self.warn("recursive-alias-any", "recursive non-object schema typed as Any", node, file, pointer)
            return ANY_TYPE
        if len(self._in_flight) >= MAX_TYPE_DEPTH:
            raise self.fail(f"the schema nests more than {MAX_TYPE_DEPTH} types inside one "
                            "another", node, file, pointer,
                            hint="flatten the schema, or name inner parts as components")
        self._in_flight.add(id(node))
        try:
            tref = self._shape(node, file, pointer, hint)
        finally:
            self._in_flight.discard(id(node))
        if says_nullable(node) and not tref.nullable:
            tref = tref.with_nullable()
        return tref

    def _shape(self, node: dict[str, Any], file: Path, pointer: str, hint: str) -> TypeRef:
        for keyword in ("oneOf", "anyOf"):
            if keyword in node:
                return self._alternatives(node, keyword, file, pointer, hint)
        if "allOf" in node:
            merged = self._all_of(node, file, pointer, hint)
            if merged is not None:
                return merged
        enum = node.get("enum")
        if enum is not None and not isinstance(enum, list):
            raise self.fail("enum must be a list of values", node, file, pointer, key="enum",
                            hint="write enum: [a, b, c]")
        if any(isinstance(v, (dict, list)) for v in enum or ()):
            raise self.fail("enum values must be strings, numbers, booleans or null; this one "
                            "lists an object or array", node, file, pointer, key="enum",
                            hint="describe object values with oneOf/const schemas instead")
        info = enum_info(node)
        if info is not None:
            return self._enum_type(node, info, file, pointer, hint)
        types = type_list(node)
        if len(types) > 1:
            prims = tuple(PRIM_OF_TYPE.get(t, "any") for t in types)
            if "object" in types or "array" in types:
                return TypeRef("any", nullable=says_nullable(node))
            return TypeRef("any", types=prims, constraints=constraints_of(node))
        kind = types[0] if types else None
        if kind is None and "properties" in node:
            kind = "object"
        if kind is None and ("items" in node or "prefixItems" in node):
            kind = "array"
        if kind is None and "additionalProperties" in node:
            kind = "object"
        if kind == "object":
            return self._object_type(node, file, pointer, hint)
        if kind == "array":
            return self._array_type(node, file, pointer, hint)
        if kind is None:
            return ANY_TYPE
        if kind not in PRIM_OF_TYPE:
            raise self.fail(f"unsupported type {kind!r}", node, file, pointer, key="type",
                            hint="use one of string, integer, number, boolean, array, object, null")
        return TypeRef(PRIM_OF_TYPE[kind], constraints=constraints_of(node))

    def _pass_component_name(self, wrapper: Any, member: Any) -> None:
        """A component that only wraps one inline schema lends that schema its name."""
        key = self._component_keys.get(id(wrapper))
        inline = isinstance(member, dict) and "$ref" not in member
        if key is not None and inline and id(member) not in self._component_keys:
            self._component_keys[id(member)] = key

    def _alternatives(self, node: dict[str, Any], keyword: str, file: Path, pointer: str,
                      hint: str) -> TypeRef:
        members = node[keyword]
        if not isinstance(members, list):
            raise self.fail(f"{keyword} must be a list of schemas", node, file, pointer, key=keyword,
                            hint=f"write {keyword}: [{{$ref: ...}}, {{type: ...}}]")
        real = [m for m in members if not is_null_schema(self._peek(m, file))]
        nullable = len(real) < len(members)
        if not real:
            return TypeRef("any", nullable=True)
        if len(real) == 1:
            index = members.index(real[0])
            self._pass_component_name(node, real[0])
            tref = self.type_of(real[0], file, f"{pointer}/{keyword}/{index}", hint)
            return tref.with_nullable() if nullable else tref
        name = self._new_entity("union", node, file, pointer, hint)
        return TypeRef("union", ref=name, nullable=nullable)

    def _all_of(self, node: dict[str, Any], file: Path, pointer: str, hint: str) -> TypeRef | None:
        members = node["allOf"]
        if not isinstance(members, list):
            raise self.fail("allOf must be a list of schemas", node, file, pointer, key="allOf",
                            hint="write allOf: [{$ref: ...}, {type: ...}]")
        real = [m for m in members if not is_annotation_only(m)]
        nullable = any(isinstance(m, dict) and says_nullable(m) for m in members)
        if len(real) == 1 and "properties" not in node:
            self._pass_component_name(node, real[0])
            tref = self.type_of(real[0], file, f"{pointer}/allOf/{members.index(real[0])}", hint)
            return tref.with_nullable() if nullable and not tref.nullable else tref
        if not real:
            return None
        if not self._all_of_satisfiable(node, real, file, pointer):
            return TypeRef("any", nullable=nullable)
        if not self._object_like(node, file) and not any(
                self._object_like(m, file, node) for m in real):
            # `allOf: [{$ref: UserId}, {type: string, description: ...}]` is a string, not an
            # object without fields: type it as its first member that says what it is
            typed = [i for i, m in enumerate(members) if m in real and (
                "$ref" in m or type_list(self._peek(m, file) or {}))]
            index = typed[0] if typed else members.index(real[0])
            tref = self.type_of(members[index], file, f"{pointer}/allOf/{index}", hint)
            return tref.with_nullable() if nullable and not tref.nullable else tref
        name = self._new_entity("model", node, file, pointer, hint)
        return TypeRef("model", ref=name, nullable=nullable)

    def _object_like(self, member: Any, file: Path, member_of: Any = None) -> bool:
        """Whether an allOf member (or the allOf itself) contributes object structure."""
        target = self._peek(member, file)
        if not isinstance(target, dict):
            return False
        keys = {"properties", "additionalProperties", "oneOf", "anyOf", "items", "required"}
        if member_of is not None:
            keys.add("allOf")  # a member that is itself an allOf may build an object
        return bool(keys & target.keys()) or "object" in type_list(target)

    def _all_of_satisfiable(self, node: dict[str, Any], members: list[Any], file: Path,
                            pointer: str) -> bool:
        """False (with a warning: the schema is typed Any) when no value can match every member."""
        seen: set[str] = set(type_list(node))
        for member in members:
            target = self._peek(member, file)
            if isinstance(target, dict):
                types = set(type_list(target))
                if types and seen and not (types & seen):
                    self.warn("allof-unsatisfiable",
                              f"allOf members contradict each other: type {sorted(seen)} and "
                              f"{sorted(types)} can never both hold", node, file, pointer,
                              key="allOf", repair="the schema is typed Any",
                              hint="fix the member types, or use oneOf if either may apply")
                    return False
                seen |= types
        return True

    def _enum_type(self, node: dict[str, Any], info: Any, file: Path, pointer: str,
                   hint: str) -> TypeRef:
        declared = [PRIM_OF_TYPE.get(t) for t in type_list(node)]
        named = id(node) in self._component_keys  # a named one-value enum stays an enum
        if info.base in ("str", "int") and (len(info.values) > 1 or named):
            name = self._named.get(id(node)) or self._new_entity("enum", node, file, pointer, hint)
            if name not in self.entities:
                members = self._members(info.values)
                self._add(Enum(name, self._origin(node, file, pointer), info.base, members,
                               description_of(node)))
            return TypeRef("enum", ref=name, nullable=info.nullable)
        constraints = constraints_of(node, const=info.values)
        if info.base is not None:
            return TypeRef(info.base, nullable=info.nullable, constraints=constraints)
        kinds = sorted({"bool" if isinstance(v, bool) else PRIM_OF_TYPE.get(
            {"str": "string", "int": "integer", "float": "number"}[type(v).__name__], "any")
            for v in info.values})
        if len(kinds) == 1 and kinds[0] in ("float", "bool"):
            return TypeRef(kinds[0], nullable=info.nullable, constraints=constraints)
        types = tuple(k for k in declared if k) or tuple(kinds)
        return TypeRef("any", types=types, nullable=info.nullable, constraints=constraints)

    @staticmethod
    def _members(values: tuple[Any, ...]) -> tuple[EnumMember, ...]:
        namer = names.Namer(frozenset({"mro"}))
        return tuple(EnumMember(namer.claim(names.member_name(v)), v) for v in values)

    def _object_type(self, node: dict[str, Any], file: Path, pointer: str, hint: str) -> TypeRef:
        props = node.get("properties")
        if isinstance(props, dict) and props:
            name = self._new_entity("model", node, file, pointer, hint)
            return TypeRef("model", ref=name)
        extra = node.get("additionalProperties")
        constraints = constraints_of(node)
        if isinstance(extra, dict) and extra:
            value = self.type_of(extra, file, f"{pointer}/additionalProperties", hint + "Value")
            return TypeRef("map", item=value, constraints=constraints)
        return TypeRef("map", item=ANY_TYPE, constraints=constraints)

    def _array_type(self, node: dict[str, Any], file: Path, pointer: str, hint: str) -> TypeRef:
        items = node.get("items")
        if "prefixItems" in node and not isinstance(items, dict):
            self.note("prefix-items-as-list", "prefixItems (a tuple) is typed as list[Any]; "
                      "items decode as they come", node, file, pointer)
            items = None
        if isinstance(items, dict):
            item = self.type_of(items, file, f"{pointer}/items", hint + "Item")
        else:
            item = ANY_TYPE
        return TypeRef("list", item=item, constraints=constraints_of(node))

    # ---- entities ----------------------------------------------------------------------------

    def _add(self, entity: Entity) -> None:
        self.entities[entity.name] = entity

    def _collect(self, node: Any, file: Path, pointer: str,
                 props: dict[str, tuple[Any, Path, str]], required: set[str],
                 seen: set[int], depth: int = 0) -> bool:
        """Merge the properties of `node` and its allOf members; returns "closed"."""
        try:
            node, file, pointer, _ = self._deref(node, file, pointer)
        except RefError as error:
            self.warn("ref-unresolved", error.message, node, file, pointer, key="$ref",
                      repair="this allOf member adds no fields", hint=error.hint)
            return False
        if not isinstance(node, dict) or id(node) in seen:
            return False
        seen.add(id(node))
        closed = node.get("additionalProperties") is False
        members = node.get("allOf") or []
        if members and depth >= MAX_ALLOF_DEPTH:
            raise self.fail(f"allOf nests more than {MAX_ALLOF_DEPTH} schemas deep (each "
                            "member an allOf of its own)", node, file, pointer, key="allOf",
                            hint="flatten the inheritance chain; real specs are far shallower")
        for index, member in enumerate(members):
            self._collect(member, file, f"{pointer}/allOf/{index}", props, required, seen,
                          depth + 1)
        own, own_file, own_pointer = node.get("properties"), file, f"{pointer}/properties"
        if isinstance(own, dict) and isinstance(own.get("$ref"), str):
            own, own_file, own_pointer = self._properties_ref(own, file, own_pointer)
        if isinstance(own, dict):
            for key, value in own.items():
                props[str(key)] = (value, own_file,
                                   f"{own_pointer}/{escape_pointer(str(key))}")
        req = node.get("required")
        if isinstance(req, list):
            required.update(str(r) for r in req)
        return closed

    def _properties_ref(self, own: dict[str, Any], file: Path, pointer: str
                        ) -> tuple[Any, Path, str]:
        """`properties: {$ref: ...}` (DigitalOcean writes it): the mapping the `$ref` names."""
        try:
            tfile, tpointer, target = self.specs.resolve_ref(own["$ref"], file, own)
        except RefError as error:
            self.warn("ref-unresolved", error.message, own, file, pointer, key="$ref",
                      repair="the schema's properties are left out", hint=error.hint)
            return None, file, pointer
        self.warn("properties-ref", "`properties` is a $ref; OpenAPI wants a mapping of "
                  "property names to schemas there", own, file, pointer, key="$ref",
                  repair="the properties it points at are used",
                  hint="write the $ref under each property, or allOf the schema it names")
        return target, tfile, tpointer

    def _build_model(self, name: str, node: Any, file: Path, pointer: str) -> Model:
        props: dict[str, tuple[Any, Path, str]] = {}
        required: set[str] = set()
        closed = self._collect(node, file, pointer, props, required, set())
        namer = names.Namer()
        fields: list[Field] = []
        for json_name, (prop, pfile, ppointer) in props.items():
            chosen = prop.get(FIELD_EXTENSION) if isinstance(prop, dict) else None
            py_name = namer.claim(names.field_name(chosen if isinstance(chosen, str)
                                                   and chosen.strip() else json_name))
            tref = self.type_of(prop, pfile, ppointer, name + names.pascal(json_name))
            target = self._peek(prop, pfile)
            desc = description_of(prop) or description_of(target)
            has_default = isinstance(prop, dict) and "default" in prop
            fields.append(Field(
                py_name, json_name, tref, json_name in required, desc,
                prop.get("default") if has_default else None, has_default,
                bool(isinstance(prop, dict) and prop.get("deprecated") is True),
                self._origin(prop, pfile, ppointer)))
        helpers = self._status_helpers(node, file, pointer, fields, namer)
        return Model(name, self._origin(node, file, pointer), tuple(fields), description_of(node),
                     closed, helpers)

    def _status_helpers(self, node: Any, file: Path, pointer: str, fields: list[Field],
                        namer: names.Namer) -> tuple[StatusHelper, ...]:
        spec = node.get(STATUS_EXTENSION) if isinstance(node, dict) else None
        if spec is None:
            return ()
        bad = "x-runmodels-status must be {field: NAME, helpers: {helper_name: [values]}}"
        bad_hint = "e.g. {field: status, helpers: {is_terminal: [completed, failed]}}"
        if not isinstance(spec, dict) or not isinstance(spec.get("helpers"), dict):
            raise self.fail(bad, node, file, pointer, key=STATUS_EXTENSION, hint=bad_hint)
        by_json = {f.json_name: f for f in fields}
        status = by_json.get(str(spec.get("field")))
        if status is None:
            raise self.fail(f"x-runmodels-status names field {spec.get('field')!r}, which the "
                            "schema does not have", node, file, pointer, key=STATUS_EXTENSION,
                            hint="set `field` to the JSON name of a property of this schema")
        helpers = []
        for helper, values in spec["helpers"].items():
            if not (isinstance(helper, str) and names.is_free_attribute(helper)
                    and helper not in namer and namer.claim(helper) == helper):
                raise self.fail(f"status helper name {helper!r} is not a free Python identifier",
                                node, file, pointer, key=STATUS_EXTENSION,
                                hint="use a lowercase ASCII name such as is_terminal that is "
                                     "not a keyword and not the name of a field")
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise self.fail(bad, node, file, pointer, key=STATUS_EXTENSION, hint=bad_hint)
            helpers.append(StatusHelper(helper, status.name, tuple(values)))
        return tuple(helpers)

    def _build_union(self, name: str, node: Any, file: Path, pointer: str) -> Union:
        keyword = "oneOf" if "oneOf" in node else "anyOf"
        variants: list[TypeRef] = []
        for index, member in enumerate(node[keyword]):
            target = self._peek(member, file)
            if is_null_schema(target):
                continue
            if target is node:
                self.warn("union-lists-itself", f"{keyword} lists the schema itself", member,
                          file, f"{pointer}/{keyword}/{index}", repair="that member is left out",
                          hint="remove the member, or list the variants it stands for")
                continue
            label = self._variant_label(target, index)
            tref = self.type_of(member, file, f"{pointer}/{keyword}/{index}", name + label)
            if tref not in variants:
                variants.append(tref)
        disc = node.get("discriminator")
        if not (isinstance(disc, dict) and isinstance(disc.get("propertyName"), str)):
            return Union(name, self._origin(node, file, pointer), tuple(variants),
                         description_of(node))
        raw_mapping = disc.get("mapping")
        mapping: dict[str, Any] = raw_mapping if isinstance(raw_mapping, dict) else {}
        mpointer = f"{pointer}/discriminator/mapping"
        pairs = []
        for value, ref in mapping.items():
            if not isinstance(ref, str):
                continue
            target = self._mapped_type(ref, file, mapping, value, mpointer)
            if target is None or target.ref is None:
                continue
            if not any(v.ref == target.ref for v in variants):
                self.warn("mapping-outside-union", f"discriminator mapping {value!r} names "
                          f"{ref!r}, which the {keyword} does not list", mapping, file, mpointer,
                          key=value, repair="it is added as a variant",
                          hint=f"add the schema to the {keyword}")
                variants.append(target.with_nullable(False))
            pairs.append((str(value), target.ref))
        return Union(name, self._origin(node, file, pointer), tuple(variants),
                     description_of(node), disc["propertyName"], tuple(pairs))

    def _mapped_type(self, ref: str, file: Path, mapping: Any, value: Any,
                     pointer: str) -> TypeRef | None:
        """The type a mapping value names; None (warned) when its `$ref` leads nowhere."""
        if not ref.startswith("#") and "/" not in ref and "." not in ref:
            ref = f"#/components/schemas/{ref}"
        try:
            self.specs.resolve_ref(ref, file)
        except RefError as error:
            self.warn("ref-unresolved", f"discriminator mapping {value!r}: {error.message}",
                      mapping, file, pointer, key=value, hint=error.hint,
                      repair="the value decodes as an unknown variant")
            return None
        tref = self.type_of({"$ref": ref}, file, pointer, "Variant")
        if not tref.ref:
            raise self.fail(f"discriminator mapping {ref!r} does not point at an object schema",
                            mapping, file, pointer, key=value,
                            hint="map each tag value to one of the oneOf object schemas")
        return tref

    @staticmethod
    def _variant_label(target: Any, index: int) -> str:
        if isinstance(target, dict):
            title = target.get("title")
            if isinstance(title, str) and names.pascal(title):
                return names.pascal(title)
            props = target.get("properties")
            if isinstance(props, dict):
                for key in ("type", "event", "object"):
                    info = enum_info(props[key]) if isinstance(props.get(key), dict) else None
                    if info is not None and len(info.values) == 1:
                        return names.pascal(str(info.values[0])) or f"Variant{index + 1}"
        return f"Variant{index + 1}"
