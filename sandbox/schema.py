"""Record schemas: readable names, validity checks, fingerprints and compatibility.

`check_compatible` answers DESIGN section 3's question: could msgspec decode every record the
producer type can encode as the consumer type? Records cross as msgpack, so msgpack with the
default encoder and strict decoders is the judge:

- `int` widens to `float` and `Decimal`, `float` to `Decimal`; `bytes`, `bytearray` and
  `memoryview` mix. `date`, `time`, `timedelta`, `UUID` and `Decimal` travel as strings and fit
  `str`; a `datetime` fits `str` only if required naive (`Meta(tz=False)`), since aware ones
  travel as msgpack timestamps. A `str` never fits `datetime`, `UUID` and such.
- Literals, enums, `bool` and `None` are compared by value sets, each value checked against
  the consumer's constraints. A `Flag` enum counts as a non-negative `int` unless both sides
  use the same class.
- A union consumer picks its member by wire type as msgspec does (an int goes to the int-like
  member even when a `float` member exists), and tagged Structs by tag.
- `Meta` constraints are judged conservatively: a consumer bound must be implied by a bound the
  producer declares; a `pattern` must be identical.
- A `dict` fits a Struct only if every consumer field has a default and unknown fields are
  allowed. A list fits a fixed-length array only if its declared lengths fit.
- Self-referencing types: a pair of types met again while being checked is assumed to fit.

What fits under msgpack also decodes from JSON, except non-finite floats (JSON writes null)
and `Ext`. Mismatch paths use the consumer's attribute names: `""` is the record itself (shown
as "(top level)"), `reading.value` a field of a field, `tags[]` any item of a list, set or
variadic tuple, `pair[1]` a tuple position, `counts{key}` and `counts{}` the keys and values
of a dict, and `payload|int` the `int` member of a union the producer may send.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any, Final, NamedTuple, final

import msgspec
from msgspec import NODEFAULT
from msgspec import inspect as mi

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = ["Mismatch", "check_compatible", "check_type", "fingerprint", "json_schema", "type_name"]


@final
class Mismatch(msgspec.Struct, frozen=True, kw_only=True):
    """One reason a producer's records may fail to decode as the consumer's type.

    `path` locates the problem inside the record (notation in the module docstring);
    `producer` and `consumer` name the types found there.
    """

    path: str
    producer: str
    consumer: str
    reason: str

    def __str__(self) -> str:
        where = self.path or "(top level)"
        return f"{where}: {self.reason} (producer {self.producer}, consumer {self.consumer})"


# Names that are not msgspec's class name, lowercased, minus "Type" (StrType -> str).
_NAMES: Final[dict[type[mi.Type], str]] = {
    mi.AnyType: "Any",
    mi.NoneType: "None",
    mi.UUIDType: "UUID",
    mi.DecimalType: "Decimal",
    mi.ExtType: "Ext",
    mi.RawType: "Raw",
}
_CONSTRAINTS: Final = ("ge", "gt", "le", "lt", "multiple_of", "min_length", "max_length")
_DICTS: Final = (mi.DictType, mi.FrozenDictType)
_RECORDS: Final = (mi.StructType, mi.TypedDictType, mi.DataclassType, mi.NamedTupleType)


def type_name(tp: object) -> str:
    """Return a short readable name for a type annotation, such as `list[int] | None`.

    Constraints from `msgspec.Meta` follow in parentheses (`int(ge=0)`); Structs, enums and
    other classes appear under their class name.

    Args:
        tp: Any type annotation; one msgspec does not support gets Python's own spelling.
    """
    if isinstance(tp, type) and issubclass(tp, msgspec.Struct) and not _is_generic(tp):
        return tp.__name__  # the common case, without building the type tree
    try:
        return _name(mi.type_info(tp))
    except Exception:  # any bad annotation: msgspec raises TypeError, NameError, ...
        return tp.__name__ if isinstance(tp, type) else re.sub(r"\b[\w.]+\.(\w+)", r"\1", repr(tp))


def _is_generic(tp: type) -> bool:
    return bool(getattr(tp, "__parameters__", ()))


def _unwrap(t: mi.Type) -> mi.Type:
    while isinstance(t, mi.Metadata):
        t = t.type
    return t


def _name(t: mi.Type) -> str:
    t = _unwrap(t)
    keys = (*_CONSTRAINTS, "pattern", "tz")
    bounds = ", ".join(f"{k}={v!r}" for k in keys if (v := getattr(t, k, None)) is not None)
    return _base_name(t) + (f"({bounds})" if bounds else "")


def _base_name(t: mi.Type) -> str:
    if isinstance(t, mi.UnionType):
        return " | ".join(_name(m) for m in t.types)
    if isinstance(t, mi.LiteralType):
        return f"Literal[{', '.join(map(repr, t.values))}]"
    if isinstance(t, mi.VarTupleType):
        return f"tuple[{_name(t.item_type)}, ...]"
    if isinstance(t, mi.CollectionType):
        return f"{_scalar_name(t)}[{_name(t.item_type)}]"
    if isinstance(t, mi.TupleType):
        return f"tuple[{', '.join(_name(i) for i in t.item_types) or '()'}]"
    if isinstance(t, _DICTS):
        kind = "dict" if isinstance(t, mi.DictType) else "frozendict"
        return f"{kind}[{_name(t.key_type)}, {_name(t.value_type)}]"
    cls = getattr(t, "cls", None)  # Enum, Struct, TypedDict, dataclass, NamedTuple, custom
    if cls is None:
        return _scalar_name(t)
    if (origin := getattr(cls, "__origin__", None)) is not None:  # a generic such as Page[int]
        return f"{origin.__name__}[{', '.join(map(type_name, getattr(cls, '__args__', ())))}]"
    return str(getattr(cls, "__name__", cls))


def _scalar_name(t: mi.Type) -> str:
    return _NAMES.get(type(t)) or type(t).__name__.removesuffix("Type").lower()


def check_type(tp: object) -> str | None:
    """Say whether msgspec can encode, decode and describe `tp` as a record schema.

    Any msgspec-supported type passes (a frozen Struct is the recommended record); a plain
    class anywhere inside does not, nor does a type without a JSON Schema (`msgpack.Ext`).

    Args:
        tp: The type annotation to check.

    Returns:
        None when the type is usable, else a one-line reason naming the offending part.
    """
    try:
        info = mi.type_info(tp)
    except Exception as exc:  # msgspec raises TypeError, NameError, ... for bad annotations
        return f"{type_name(tp)} is not a type msgspec supports: {exc}"
    for path, t in _walk(info, "", set()):
        if isinstance(t, mi.CustomType):
            where = f" at '{path}'" if path else ""
            return (
                f"{_name(t)}{where} is a plain class msgspec cannot encode or decode; "
                "use a msgspec.Struct, a dataclass or a builtin type"
            )
    try:
        msgspec.json.schema(tp)
    except Exception as exc:  # TypeError today; any failure means "no schema"
        return f"{type_name(tp)} has no JSON Schema: {exc}"
    return None


def _walk(t: mi.Type, path: str, seen: set[object]) -> Iterator[tuple[str, mi.Type]]:
    t = _unwrap(t)
    yield path, t
    children: list[tuple[str, mi.Type]] = []
    if isinstance(t, _RECORDS) and t.cls not in seen:
        seen.add(t.cls)
        children = [(_join(path, f.name), f.type) for f in t.fields]
    elif isinstance(t, mi.UnionType):
        children = [(f"{path}|{_name(m)}", m) for m in t.types]
    elif isinstance(t, mi.CollectionType):
        children = [(f"{path}[]", t.item_type)]
    elif isinstance(t, mi.TupleType):
        children = [(f"{path}[{i}]", item) for i, item in enumerate(t.item_types)]
    elif isinstance(t, _DICTS):
        children = [(path + "{key}", t.key_type), (path + "{}", t.value_type)]
    for sub, child in children:
        yield from _walk(child, sub, seen)


def json_schema(tp: object) -> dict[str, object]:
    """Return the JSON Schema of a type, as `msgspec.json.schema` generates it.

    Args:
        tp: A msgspec-supported type.

    Raises:
        TypeError: If msgspec cannot describe the type (see `check_type`).
    """
    return msgspec.json.schema(tp)


def fingerprint(tp: object) -> str:
    """Return 16 hex digits identifying the wire structure of a type.

    The hash covers a canonical JSON Schema: keys and `required` sorted, documentation
    (`title`, `description`, `examples`) dropped and `$defs` renumbered in the order they are
    reached. Class names and docstrings do not count; field names, types, defaults,
    constraints, tags and the order of union members do. Stable across processes for a given
    msgspec version.

    Args:
        tp: A msgspec-supported type.

    Raises:
        TypeError: If msgspec cannot describe the type (see `check_type`).
    """
    schema = json_schema(tp)
    defs: Any = schema.get("$defs", {})
    names: dict[str, str] = {}

    def ref(target: str) -> str:
        return "#/$defs/" + names.setdefault(target.rpartition("/")[2], str(len(names)))

    canon = {"": _canonical(schema, ref)}
    while len(canon) <= len(names):  # each definition may reach further ones
        old = list(names)[len(canon) - 1]
        canon[names[old]] = _canonical(defs[old], ref)
    text = json.dumps(canon, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _canonical(node: object, ref: Callable[[str], str]) -> object:
    if isinstance(node, list):
        return [_canonical(item, ref) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, object] = {}
    for key in sorted(node):  # sorted, so `$defs` are numbered independently of dict order
        value = node[key]
        if key == "$ref":
            out[key] = ref(value)
        elif key in ("properties", "mapping"):  # name -> schema; a discriminator's tag -> $ref
            items = sorted(value.items())
            out[key] = {k: ref(v) if key == "mapping" else _canonical(v, ref) for k, v in items}
        elif key in ("required", "default", "const", "enum"):  # values, not schemas
            out[key] = sorted(value) if key == "required" else value
        elif key not in ("title", "description", "examples", "$comment", "$defs"):
            out[key] = _canonical(value, ref)
    return out


def check_compatible(producer: object, consumer: object) -> list[Mismatch]:
    """List every reason records of `producer` may fail to decode as `consumer`.

    The rules are in the module docstring; every mismatch is reported, each with its path.

    Args:
        producer: The type an outlet sends.
        consumer: The type an inlet expects.

    Returns:
        The mismatches; empty when the types are compatible.

    Raises:
        TypeError: If msgspec does not support one of the types (see `check_type`).
    """
    if producer == consumer:
        return []
    p, c = mi.multi_type_info([producer, consumer])
    return _Checker().check(p, c, "")


class _Slot(NamedTuple):
    name: str  # attribute name, for paths; "[i]" for a tuple position
    key: str  # encoded name: the key on the wire
    type: mi.Type
    optional: bool  # producer: may be left out; consumer: has a default


# msgpack kinds each type decodes from. In a union, msgspec hands a value to the member with
# the lowest rank for its kind: an int goes to an int-like member, else float, else Decimal.
_STRINGS: Final = (mi.StrType, mi.DateType, mi.TimeType, mi.TimeDeltaType, mi.UUIDType)
_BYTES: Final = (mi.BytesType, mi.ByteArrayType, mi.MemoryViewType)
_RANKS: Final[dict[type[mi.Type], dict[str, int]]] = {
    **{t: {"str": 0} for t in _STRINGS},
    **{t: {"bin": 0} for t in _BYTES},
    mi.AnyType: {"any": 0},
    mi.NoneType: {"nil": 0},
    mi.BoolType: {"bool": 0},
    mi.IntType: {"int": 0},
    mi.FloatType: {"float": 0, "int": 1},
    mi.DecimalType: {"str": 0, "float": 1, "int": 2},
    mi.DateTimeType: {"str": 0, "ext": 0},
    mi.ExtType: {"ext": 0},
}
_WIRE: Final = {"map": "object", "array": "array"}
_KIND_OF_VALUE: Final = {type(None): "nil", bool: "bool", int: "int", str: "str"}
# Wire kinds a consumer type accepts every value of (so any producer sending only those fits).
_TOTAL: Final[dict[type[mi.Type], set[str]]] = {
    **{t: {"bin"} for t in _BYTES},
    mi.FloatType: {"int", "float"},
    mi.DecimalType: {"int", "float"},
    mi.StrType: {"str"},
    mi.ExtType: {"ext"},
}
_VALUE_CHECKS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "ge": lambda v, b: v >= b,
    "gt": lambda v, b: v > b,
    "le": lambda v, b: v <= b,
    "lt": lambda v, b: v < b,
    "multiple_of": lambda v, b: v % b == 0,
    "min_length": lambda v, b: len(v) >= b,
    "max_length": lambda v, b: len(v) <= b,
    "pattern": lambda v, b: re.search(b, v) is not None,
}


class _Checker:
    def __init__(self) -> None:
        self.active: set[tuple[object, object, bool]] = set()  # record pairs being checked

    def check(self, p: mi.Type, c: mi.Type, path: str, tagged: bool = False) -> list[Mismatch]:
        """Compare two types; `tagged` says a consumer Struct must see its tag."""
        p, c = _unwrap(p), _unwrap(c)
        if isinstance(c, (mi.AnyType, mi.RawType)):
            return []
        if isinstance(p, mi.UnionType):
            return [m for t in p.types for m in self.check(t, c, f"{path}|{_name(t)}", tagged)]
        if isinstance(p, mi.EnumType) and isinstance(c, mi.EnumType) and p.cls is c.cls:
            return []
        if isinstance(p, mi.EnumType) and issubclass(p.cls, enum.Flag):  # any mix of its bits
            found = self.check(mi.IntType(ge=0), c, path)
            return [msgspec.structs.replace(m, producer=_name(p)) for m in found]
        if (values := _finite_values(p)) is not None:
            return _values(p, c, path, values)
        if isinstance(c, mi.UnionType):
            return self._into_union(p, c, path)
        if (container := _container(p)) is None or container != _container(c):
            return _scalar(p, c, path)
        key = (getattr(p, "cls", id(p)), getattr(c, "cls", id(c)), tagged)
        if key in self.active:
            return []
        self.active.add(key)
        try:
            if container == "map":
                return self._maps(p, c, path, tagged)
            return self._arrays(p, c, path)
        finally:
            self.active.discard(key)

    def _into_union(self, p: mi.Type, c: mi.UnionType, path: str) -> list[Mismatch]:
        members = [_unwrap(m) for m in c.types]
        tagged = sum(isinstance(m, mi.StructType) for m in members) > 1  # then tags choose
        out: list[Mismatch] = []
        for kind in _wire_kinds(p):
            found = _dispatch(members, kind)
            if tagged and kind in ("map", "array"):
                tag = (getattr(p, "tag_field", None), getattr(p, "tag", None))
                found = [
                    m for m in found if isinstance(m, mi.StructType) and (m.tag_field, m.tag) == tag
                ]
                if not found:
                    out.append(_mismatch(path, p, c, _tag_reason(p, members)))
                    continue
            results = [self.check(p, m, path, tagged) for m in found]
            if not results:
                out.append(_mismatch(path, p, c, "fits no member of the consumer's union"))
            elif all(results):
                out += results[0]
        return out

    def _maps(self, p: mi.Type, c: mi.Type, path: str, tagged: bool) -> list[Mismatch]:
        if isinstance(p, _DICTS) and isinstance(c, _DICTS):
            out = self.check(p.key_type, c.key_type, path + "{key}")
            out += self.check(p.value_type, c.value_type, path + "{}")
            return out + _count(path, p, c, _lengths(p), _lengths(c))
        if isinstance(p, _DICTS):
            return self._dict_to_record(p, c, path, tagged)
        have = _slots(p, producer=True)
        if not isinstance(c, _DICTS):
            return self._records(p, c, path, {s.key: s for s in have}, tagged)
        out = self.check(mi.LiteralType(tuple(s.key for s in have)), c.key_type, path + "{key}")
        out += [m for s in have for m in self.check(s.type, c.value_type, _join(path, s.name))]
        return out + _count(path, p, c, (sum(not s.optional for s in have), len(have)), _lengths(c))

    def _records(
        self, p: mi.Type, c: mi.Type, path: str, have: dict[str, _Slot], tagged: bool
    ) -> list[Mismatch]:
        want = {s.key: s for s in _slots(c, producer=False, tagged=tagged)}
        out: list[Mismatch] = []
        for key, slot in want.items():
            if key not in have:
                if not slot.optional:
                    out.append(_mismatch(path, p, c, _missing_reason(slot, have)))
                continue
            if have[key].optional and not slot.optional:
                reason = "may be omitted by the producer and is required by the consumer"
                out.append(_mismatch(path, p, c, f"field '{slot.name}' {reason}"))
            out += self.check(have[key].type, slot.type, _join(path, slot.name))
        if isinstance(c, mi.StructType) and c.forbid_unknown_fields:
            reason = "is sent by the producer and unknown to the consumer, which forbids that"
            out += [_mismatch(path, p, c, f"field '{k}' {reason}") for k in have if k not in want]
        return out

    def _dict_to_record(
        self, p: mi.DictType | mi.FrozenDictType, c: mi.Type, path: str, tagged: bool
    ) -> list[Mismatch]:
        want = _slots(c, producer=False, tagged=tagged)
        out = self.check(p.key_type, mi.StrType(), path + "{key}")
        out += [m for s in want for m in self.check(p.value_type, s.type, _join(path, s.name))]
        if required := ", ".join(f"'{s.name}'" for s in want if not s.optional):
            reason = f"the consumer requires {required}, which a dict may lack"
            out.append(_mismatch(path, p, c, reason))
        if isinstance(c, mi.StructType) and c.forbid_unknown_fields:
            reason = "the consumer forbids unknown fields, and a dict may hold any key"
            out.append(_mismatch(path, p, c, reason))
        return out

    def _arrays(self, p: mi.Type, c: mi.Type, path: str) -> list[Mismatch]:
        have = None if isinstance(p, mi.CollectionType) else _slots(p, producer=True)
        want = None if isinstance(c, mi.CollectionType) else _slots(c, producer=False, tagged=True)
        sent = _lengths(p) if have is None else (len(have), len(have))
        if want is None:
            out = _count(path, p, c, sent, _lengths(c))
            if have is None:
                return out + self.check(_item(p), _item(c), path + "[]")
            return out + [
                m for s in have for m in self.check(s.type, _item(c), _join(path, s.name))
            ]
        least = max((i + 1 for i, s in enumerate(want) if not s.optional), default=0)
        extra_ok = isinstance(c, mi.StructType) and not c.forbid_unknown_fields
        out = _count(path, p, c, sent, (least, None if extra_ok else len(want)))
        types = [s.type for s in have] if have is not None else [_item(p)] * len(want)
        for slot, t in zip(want, types[: sent[1]], strict=False):
            out += self.check(t, slot.type, _join(path, slot.name))
        return out


def _mismatch(path: str, p: mi.Type, c: mi.Type, reason: str) -> Mismatch:
    return Mismatch(path=path, producer=_name(p), consumer=_name(c), reason=reason)


def _join(path: str, name: str) -> str:
    return path + name if name.startswith("[") else f"{path}.{name}" if path else name


def _container(t: mi.Type) -> str | None:
    """Whether msgpack sends the type as a "map" or an "array"; None for anything else."""
    if isinstance(t, mi.StructType):
        return "array" if t.array_like else "map"
    if isinstance(t, (*_DICTS, mi.TypedDictType, mi.DataclassType)):
        return "map"
    return "array" if isinstance(t, (mi.NamedTupleType, mi.TupleType, mi.CollectionType)) else None


def _ranks(t: mi.Type) -> dict[str, int]:
    if (container := _container(t)) is not None:
        return {container: 0}
    if isinstance(t, mi.EnumType):
        return {_KIND_OF_VALUE[type(member.value)]: 0 for member in t.cls}
    if isinstance(t, mi.LiteralType):
        return {_KIND_OF_VALUE[type(v)]: 0 for v in t.values}
    return _RANKS.get(type(t), {})


def _wire_kinds(p: mi.Type) -> list[str]:
    """The msgpack kinds a producer type encodes as."""
    if isinstance(p, mi.DateTimeType) and p.tz is not None:  # aware: timestamp; naive: string
        return ["ext" if p.tz else "str"]
    return [kind for kind, rank in _ranks(p).items() if rank == 0] or ["any"]  # Raw, custom


def _dispatch(members: list[mi.Type], kind: str) -> list[mi.Type]:
    """The union members msgspec would hand a value of `kind` to."""
    ranked = [
        (r, m) for m in members if (r := _ranks(m).get(kind, _ranks(m).get("any"))) is not None
    ]
    best = min((r for r, _ in ranked), default=None)
    return [m for r, m in ranked if r == best]


def _finite_values(t: mi.Type) -> tuple[object, ...] | None:
    if isinstance(t, mi.LiteralType):
        return t.values
    if isinstance(t, mi.EnumType):
        return tuple(member.value for member in t.cls)
    if isinstance(t, mi.BoolType):
        return (False, True)
    return (None,) if isinstance(t, mi.NoneType) else None


def _values(p: mi.Type, c: mi.Type, path: str, values: tuple[object, ...]) -> list[Mismatch]:
    if not (rejected := [v for v in values if not _accepts(c, v)]):
        return []
    shown = ", ".join(map(repr, rejected[:5])) + (", ..." if len(rejected) > 5 else "")
    what = "value {} is" if len(rejected) == 1 else "values {} are"
    return [_mismatch(path, p, c, what.format(shown) + " not accepted by the consumer")]


def _accepts(c: mi.Type, v: object) -> bool:
    c = _unwrap(c)
    if isinstance(c, (mi.AnyType, mi.RawType)):
        return True
    if isinstance(c, mi.UnionType):
        members = [_unwrap(m) for m in c.types]
        return any(_accepts(m, v) for m in _dispatch(members, _KIND_OF_VALUE[type(v)]))
    if isinstance(c, mi.LiteralType):
        return (type(v), v) in {(type(x), x) for x in c.values}
    if isinstance(c, mi.EnumType):
        try:
            return type(v) in (int, str) and c.cls(v) is not None
        except ValueError:
            return False
    kinds = {mi.NoneType: type(None), mi.BoolType: bool, mi.StrType: str, mi.IntType: int}
    kinds |= {mi.FloatType: int, mi.DecimalType: int}
    return type(v) is kinds.get(type(c)) and all(
        check(v, b) for k, check in _VALUE_CHECKS.items() if (b := getattr(c, k, None)) is not None
    )


def _scalar(p: mi.Type, c: mi.Type, path: str) -> list[Mismatch]:
    same = type(p) is type(c) and getattr(p, "cls", None) == getattr(c, "cls", None)
    kinds = _wire_kinds(p)
    if not (same or set(kinds) <= _TOTAL.get(type(c), set())):
        if any(kind in _ranks(c) or kind == "any" for kind in kinds):
            return [_mismatch(path, p, c, "not every value the producer sends fits the consumer")]
        if (sent := _container(p)) and (expected := _container(c)):  # array_like vs object
            reason = (
                f"the producer sends an {_WIRE[sent]} and the consumer expects an {_WIRE[expected]}"
            )
            return [_mismatch(path, p, c, reason)]
        return [_mismatch(path, p, c, "incompatible types")]
    keys = (*_CONSTRAINTS, "pattern", "tz")
    gaps = [
        f"{k}={b!r}"
        for k in keys
        if (b := getattr(c, k, None)) is not None and not _implies(p, k, b)
    ]
    if not gaps:
        return []
    reason = f"the consumer requires {', '.join(gaps)}, which the producer does not guarantee"
    return [_mismatch(path, p, c, reason)]


def _implies(p: mi.Type, name: str, bound: Any) -> bool:
    """Whether the producer's declared constraints imply the consumer's `name=bound`."""
    if name in ("ge", "gt", "le", "lt"):
        lower = name in ("ge", "gt")
        edge = _edge(p, lower)
        if edge is None:
            return False
        value, strict = edge
        beyond = value > bound if lower else value < bound
        return bool(beyond or (value == bound and (name in ("ge", "le") or strict)))
    have = getattr(p, name, None)
    if have is None:
        return False
    if name == "multiple_of":
        return bool(have % bound == 0)
    if name in ("min_length", "max_length"):
        return bool(have >= bound if name == "min_length" else have <= bound)
    return bool(have == bound)  # pattern, tz


def _edge(p: mi.Type, lower: bool) -> tuple[Any, bool] | None:
    """The producer's tightest lower or upper bound as (value, is_strict), or None."""
    inc, exc = (getattr(p, k, None) for k in (("ge", "gt") if lower else ("le", "lt")))
    if isinstance(p, mi.IntType) and exc is not None:  # for ints, > 3 means >= 4
        step = exc + 1 if lower else exc - 1
        inc, exc = step if inc is None else max(inc, step) if lower else min(inc, step), None
    options = [(v, s) for v, s in ((inc, False), (exc, True)) if v is not None]
    if not options:
        return None
    return max(options) if lower else min(options, key=lambda o: (o[0], not o[1]))


def _slots(t: mi.Type, *, producer: bool, tagged: bool = True) -> list[_Slot]:
    """Fields in wire order, any tag first; for a producer, `optional` means "may be absent"."""
    if isinstance(t, mi.TupleType):
        return [_Slot(f"[{i}]", "", item, False) for i, item in enumerate(t.item_types)]
    cls: Any = getattr(t, "cls", None)  # for a generic Struct, Page[int]: the config is on Page
    omit = (
        isinstance(t, mi.StructType)
        and getattr(cls, "__origin__", cls).__struct_config__.omit_defaults
    )
    fields: tuple[mi.Field, ...] = getattr(t, "fields", ())
    slots = [
        _Slot(f.name, f.encode_name, f.type, not f.required and (not producer or omit or _unset(f)))
        for f in fields
    ]
    if isinstance(t, mi.StructType) and t.tag_field is not None:
        tag = mi.LiteralType((t.tag,))
        slots.insert(0, _Slot(t.tag_field, t.tag_field, tag, not (producer or tagged)))
    return slots


def _unset(f: mi.Field) -> bool:
    """Whether an optional field lacks a default: `UNSET`, or a non-total TypedDict key."""
    return f.default is NODEFAULT and f.default_factory is NODEFAULT


def _missing_reason(slot: _Slot, have: dict[str, _Slot]) -> str:
    alias = next((s.key for s in have.values() if s.name == slot.name), None)
    if alias is not None:  # same attribute, renamed differently on each side
        return f"field '{slot.name}' is sent as '{alias}'; the consumer reads '{slot.key}'"
    encoded = f" (encoded as '{slot.key}')" if slot.key != slot.name else ""
    return f"field '{slot.name}'{encoded} is required by the consumer and missing from the producer"


def _tag_reason(p: mi.Type, members: list[mi.Type]) -> str:
    structs = [m for m in members if isinstance(m, mi.StructType)]
    field = structs[0].tag_field
    if getattr(p, "tag_field", None) != field:
        return (
            f"the consumer tells union members apart by tag field '{field}'; the producer has none"
        )
    tags = ", ".join(repr(s.tag) for s in structs)
    return f"tag {getattr(p, 'tag', None)!r} is none of the consumer's tags {tags}"


def _lengths(t: mi.Type) -> tuple[int, int | None]:
    return (getattr(t, "min_length", None) or 0, getattr(t, "max_length", None))


def _item(t: mi.Type) -> mi.Type:
    return t.item_type if isinstance(t, mi.CollectionType) else mi.AnyType()


def _count(
    path: str,
    p: mi.Type,
    c: mi.Type,
    sent: tuple[int, int | None],
    accepted: tuple[int, int | None],
) -> list[Mismatch]:
    (lo, hi), (least, most) = sent, accepted
    if lo >= least and (most is None or (hi is not None and hi <= most)):
        return []
    reason = f"the producer sends {_span(sent)} and the consumer accepts {_span(accepted)}"
    return [_mismatch(path, p, c, reason)]


def _span(span: tuple[int, int | None]) -> str:
    lo, hi = span
    if hi is None:
        return f"at least {lo} item{'s' * (lo != 1)}" if lo else "any number of items"
    if lo == hi:
        return f"exactly {lo} item{'s' * (lo != 1)}"
    return f"{lo} to {hi} items" if lo else f"at most {hi} item{'s' * (hi != 1)}"
