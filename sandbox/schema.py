"""Record schemas: readable names, validity checks, fingerprints and compatibility.

`check_compatible` answers one question (DESIGN section 3): could msgspec decode every record
the producer type can encode as the consumer type? Records cross the wire as msgpack, so
msgpack with msgspec's default encoder and strict decoders is the judge:

- `int` widens to `float` and `Decimal`, `float` to `Decimal`; `bytes`, `bytearray` and
  `memoryview` are interchangeable. `date`, `time`, `timedelta`, `UUID` and `Decimal` travel
  as strings, so they fit `str`; a `datetime` fits `str` only when it is required to be
  naive (`Meta(tz=False)`), since aware datetimes travel as msgpack timestamps. A `str`
  never fits `datetime`, `UUID` and the like: not every string parses.
- Literals, enums, `bool` and `None` are compared by value sets, and each value is checked
  against the consumer's constraints. A `Flag` enum is treated as a non-negative `int` unless
  both sides use the same class.
- `Meta` constraints are judged conservatively: a consumer bound holds only if the producer
  declares the same or a stricter one; a `pattern` must be identical.
- A `dict` fits a Struct only when every consumer field has a default and unknown fields are
  allowed, since a dict may hold any keys or none.
- Self-referencing types are assumed compatible where a pair is met again (coinduction).

What fits under msgpack also decodes from JSON, except non-finite floats (JSON writes NaN and
infinity as null) and `Ext`, which JSON cannot carry.

Mismatch paths use the consumer's attribute names:

- `""` the record itself (shown as "(top level)"), `reading.value` a field of a field;
- `tags[]` any item of a list, set, frozenset or variadic tuple; `pair[1]` a tuple position;
- `counts{key}` the keys of a dict, `counts{}` its values;
- `payload|int` the `int` member of a union the producer may send.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any, Final, NamedTuple, final

import msgspec
from msgspec import NODEFAULT
from msgspec import inspect as mi

__all__ = ["Mismatch", "check_compatible", "check_type", "fingerprint", "json_schema", "type_name"]


@final
class Mismatch(msgspec.Struct, frozen=True, kw_only=True):
    """One reason a producer's records may fail to decode as the consumer's type.

    `path` locates the problem inside the record in the notation described in the module
    docstring; `producer` and `consumer` name the types found there.
    """

    path: str
    producer: str
    consumer: str
    reason: str

    def __str__(self) -> str:
        where = self.path or "(top level)"
        return f"{where}: {self.reason} (producer {self.producer}, consumer {self.consumer})"


# -- names ---------------------------------------------------------------------------------

_NAMES: Final[dict[type[mi.Type], str]] = {
    mi.AnyType: "Any", mi.NoneType: "None", mi.BoolType: "bool", mi.IntType: "int",
    mi.FloatType: "float", mi.StrType: "str", mi.BytesType: "bytes",
    mi.ByteArrayType: "bytearray", mi.MemoryViewType: "memoryview", mi.DateTimeType: "datetime",
    mi.TimeType: "time", mi.DateType: "date", mi.TimeDeltaType: "timedelta",
    mi.UUIDType: "UUID", mi.DecimalType: "Decimal", mi.ExtType: "Ext", mi.RawType: "Raw",
    mi.ListType: "list", mi.SetType: "set", mi.FrozenSetType: "frozenset",
}  # fmt: skip
_CONSTRAINTS: Final = ("ge", "gt", "le", "lt", "multiple_of", "min_length", "max_length")
_CONSTRAINTS_ALL: Final = (*_CONSTRAINTS, "pattern", "tz")
_DICTS: Final = (mi.DictType, mi.FrozenDictType)
_RECORDS: Final = (mi.StructType, mi.TypedDictType, mi.DataclassType, mi.NamedTupleType)


def type_name(tp: object) -> str:
    """Return a short readable name for a type annotation.

    Constraints from `msgspec.Meta` follow in parentheses, as in `int(ge=0)`; Structs, enums
    and other classes appear under their class name.

    Args:
        tp: Any type annotation; one msgspec does not support gets Python's own spelling.
    """
    try:
        return _name(mi.type_info(tp))
    except Exception:  # any bad annotation: msgspec raises TypeError, NameError, ...
        return str(getattr(tp, "__name__", None) or repr(tp))


def _unwrap(t: mi.Type) -> mi.Type:
    while isinstance(t, mi.Metadata):
        t = t.type
    return t


def _name(t: mi.Type) -> str:
    t = _unwrap(t)
    bounds = [f"{a}={v!r}" for a in _CONSTRAINTS_ALL if (v := getattr(t, a, None)) is not None]
    return _base_name(t) + (f"({', '.join(bounds)})" if bounds else "")


def _base_name(t: mi.Type) -> str:
    if isinstance(t, mi.UnionType):
        return " | ".join(_name(m) for m in t.types)
    if isinstance(t, mi.LiteralType):
        return f"Literal[{', '.join(map(repr, t.values))}]"
    if isinstance(t, mi.VarTupleType):
        return f"tuple[{_name(t.item_type)}, ...]"
    if isinstance(t, mi.CollectionType):
        return f"{_NAMES[type(t)]}[{_name(t.item_type)}]"
    if isinstance(t, mi.TupleType):
        return f"tuple[{', '.join(_name(i) for i in t.item_types) or '()'}]"
    if isinstance(t, _DICTS):
        kind = "dict" if isinstance(t, mi.DictType) else "frozendict"
        return f"{kind}[{_name(t.key_type)}, {_name(t.value_type)}]"
    if type(t) in _NAMES:
        return _NAMES[type(t)]
    cls = getattr(t, "cls", None)  # Enum, Struct, TypedDict, dataclass, NamedTuple, custom
    origin, args = getattr(cls, "__origin__", None), getattr(cls, "__args__", ())
    if origin is not None:  # a parametrised generic Struct such as Page[int]
        return f"{origin.__name__}[{', '.join(type_name(a) for a in args)}]"
    return str(getattr(cls, "__name__", repr(cls)))


# -- validity, JSON Schema, fingerprint ----------------------------------------------------


def check_type(tp: object) -> str | None:
    """Say whether msgspec can encode, decode and describe `tp` as a record schema.

    Any msgspec-supported type passes (a frozen Struct is the recommended record); plain
    classes, anywhere inside, do not, nor do types without a JSON Schema (`msgpack.Ext`).

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
    if isinstance(t, _RECORDS):
        if t.cls in seen:
            return
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
    else:
        children = []
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

    The hash covers a canonical form of the JSON Schema: keys sorted, `required` lists sorted,
    documentation (`title`, `description`, `examples`) dropped and `$defs` renamed in the order
    they are reached, so class names and docstrings do not count, while field names, types,
    defaults, constraints, tags and union member order do. Stable across processes for a
    given msgspec version.

    Args:
        tp: A msgspec-supported type.

    Raises:
        TypeError: If msgspec cannot describe the type (see `check_type`).
    """
    schema = json_schema(tp)
    defs = schema.get("$defs")
    defs = defs if isinstance(defs, dict) else {}
    names: dict[str, str] = {}

    def ref(target: str) -> str:
        return "#/$defs/" + names.setdefault(target.rpartition("/")[2], str(len(names)))

    canon: dict[str, object] = {"root": _canonical(schema, ref)}
    done = 0
    while done < len(names):  # `names` grows as definitions reference further definitions
        old = list(names)[done]
        canon[names[old]] = _canonical(defs[old], ref)
        done += 1
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
        if key in ("title", "description", "examples", "$comment", "$defs"):
            continue
        if key == "$ref":
            out[key] = ref(value)
        elif key == "properties":
            out[key] = {name: _canonical(sub, ref) for name, sub in sorted(value.items())}
        elif key == "mapping":  # a tagged union's discriminator: tag -> $ref
            out[key] = {tag: ref(target) for tag, target in sorted(value.items())}
        elif key == "required":
            out[key] = sorted(value)
        elif key in ("default", "const", "enum"):  # values, not schemas
            out[key] = value
        else:
            out[key] = _canonical(value, ref)
    return out


# -- compatibility -------------------------------------------------------------------------


def check_compatible(producer: object, consumer: object) -> list[Mismatch]:
    """List every reason records of `producer` may fail to decode as `consumer`.

    The rules are in the module docstring; all mismatches are reported, each with its path.

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
    name: str  # attribute name, used in paths
    key: str  # encoded name, the key on the wire
    type: mi.Type
    optional: bool  # producer: may be left out; consumer: has a default


_WIDENS: Final[dict[type[mi.Type], tuple[type[mi.Type], ...]]] = {
    mi.IntType: (mi.FloatType, mi.DecimalType),
    mi.FloatType: (mi.DecimalType,),
    mi.BytesType: (mi.ByteArrayType, mi.MemoryViewType),
    mi.ByteArrayType: (mi.BytesType, mi.MemoryViewType),
    mi.MemoryViewType: (mi.BytesType, mi.ByteArrayType),
    mi.DateType: (mi.StrType,), mi.TimeType: (mi.StrType,), mi.TimeDeltaType: (mi.StrType,),
    mi.UUIDType: (mi.StrType,), mi.DecimalType: (mi.StrType,),
}  # fmt: skip
_VALUE_KINDS: Final[dict[type[mi.Type], tuple[type, ...]]] = {
    mi.NoneType: (type(None),), mi.BoolType: (bool,), mi.IntType: (int,),
    mi.FloatType: (int,), mi.DecimalType: (int,), mi.StrType: (str,),
}  # fmt: skip
_VALUE_CHECKS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "ge": lambda v, b: v >= b, "gt": lambda v, b: v > b,
    "le": lambda v, b: v <= b, "lt": lambda v, b: v < b,
    "multiple_of": lambda v, b: v % b == 0,
    "min_length": lambda v, b: len(v) >= b, "max_length": lambda v, b: len(v) <= b,
    "pattern": lambda v, b: re.search(b, v) is not None,
}  # fmt: skip
_FAMILIES: Final[dict[type[mi.Type], str]] = {
    mi.IntType: "number", mi.FloatType: "number", mi.DecimalType: "str", mi.StrType: "str",
    mi.DateTimeType: "str", mi.DateType: "str", mi.TimeType: "str", mi.TimeDeltaType: "str",
    mi.UUIDType: "str", mi.BytesType: "bin", mi.ByteArrayType: "bin", mi.MemoryViewType: "bin",
}  # fmt: skip


class _Checker:
    def __init__(self) -> None:
        self.active: set[tuple[object, object, bool]] = set()  # record pairs being checked

    def check(
        self, p: mi.Type, c: mi.Type, path: str, tag_required: bool = False
    ) -> list[Mismatch]:
        p, c = _unwrap(p), _unwrap(c)
        if isinstance(c, (mi.AnyType, mi.RawType)):
            return []
        if isinstance(p, mi.UnionType):
            return [
                m for t in p.types for m in self.check(t, c, f"{path}|{_name(t)}", tag_required)
            ]
        if isinstance(p, mi.EnumType) and isinstance(c, mi.EnumType) and p.cls is c.cls:
            return []
        if isinstance(p, mi.EnumType) and issubclass(p.cls, enum.Flag):
            p = mi.IntType(ge=0)  # a Flag sends any combination of its bits
        if (values := _finite_values(p)) is not None:
            return _values(p, c, path, values)
        if isinstance(c, mi.UnionType):
            return self._into_union(p, c, path)
        shapes = {_shape(p), _shape(c)}
        if shapes <= {"map", "dict"} or shapes <= {"fixed", "seq"}:
            return self._guarded(p, c, path, tag_required)
        return _scalar(p, c, path)

    def _guarded(self, p: mi.Type, c: mi.Type, path: str, tag_required: bool) -> list[Mismatch]:
        key = (getattr(p, "cls", id(p)), getattr(c, "cls", id(c)), tag_required)
        if key in self.active:
            return []
        self.active.add(key)
        try:
            if _shape(c) in ("map", "dict"):
                return self._maps(p, c, path, tag_required)
            return self._arrays(p, c, path)
        finally:
            self.active.discard(key)

    def _into_union(self, p: mi.Type, c: mi.UnionType, path: str) -> list[Mismatch]:
        members = [_unwrap(m) for m in c.types]
        structs = [m for m in members if isinstance(m, mi.StructType)]
        tagged = len(structs) > 1  # msgspec then needs the tag to pick a member
        results = [self.check(p, m, path, tag_required=tagged) for m in members]
        if not all(results):
            return []
        if tagged and isinstance(p, mi.StructType):
            for member, result in zip(structs, results):
                if (member.tag_field, member.tag) == (p.tag_field, p.tag):
                    return result
            return [_mismatch(path, p, c, _tag_reason(p, structs))]
        same = [r for m, r in zip(members, results) if _family(m) == _family(p)]
        if len(same) == 1:  # msgspec dispatches on the wire type: report that member's view
            return same[0]
        return [_mismatch(path, p, c, "fits no member of the consumer's union")]

    def _maps(self, p: mi.Type, c: mi.Type, path: str, tag_required: bool) -> list[Mismatch]:
        if isinstance(c, _DICTS):
            if isinstance(p, _DICTS):
                out = self.check(p.key_type, c.key_type, path + "{key}")
                out += self.check(p.value_type, c.value_type, path + "{}")
                return out + _count(path, p, c, _lengths(p), _lengths(c))
            have = _producer_slots(p)
            out = self.check(mi.LiteralType(tuple(have)), c.key_type, path + "{key}")
            for slot in have.values():
                out += self.check(slot.type, c.value_type, _join(path, slot.name))
            sent = (sum(not s.optional for s in have.values()), len(have))
            return out + _count(path, p, c, sent, _lengths(c))
        if isinstance(p, _DICTS):
            return self._dict_to_record(p, c, path, tag_required)
        return self._records(p, c, path, tag_required)

    def _records(self, p: mi.Type, c: mi.Type, path: str, tag_required: bool) -> list[Mismatch]:
        have, want = _producer_slots(p), _consumer_slots(c, tag_required)
        out: list[Mismatch] = []
        for key, slot in want.items():
            if key not in have:
                if not slot.optional:
                    out.append(_mismatch(path, p, c, _missing_reason(slot, have)))
                continue
            if have[key].optional and not slot.optional:
                reason = "may be left out by the producer (omit_defaults or UNSET)"
                out.append(_mismatch(path, p, c, f"field '{slot.name}' {reason}"))
            out += self.check(have[key].type, slot.type, _join(path, slot.name))
        if isinstance(c, mi.StructType) and c.forbid_unknown_fields:
            reason = "is sent by the producer and unknown to the consumer, which forbids that"
            out += [
                _mismatch(path, p, c, f"field '{s.key}' {reason}")
                for k, s in have.items()
                if k not in want
            ]
        return out

    def _dict_to_record(
        self, p: mi.DictType | mi.FrozenDictType, c: mi.Type, path: str, tag_required: bool
    ) -> list[Mismatch]:
        want = _consumer_slots(c, tag_required)
        out = self.check(p.key_type, mi.StrType(), path + "{key}")
        for slot in want.values():
            out += self.check(p.value_type, slot.type, _join(path, slot.name))
        required = ", ".join(f"'{s.name}'" for s in want.values() if not s.optional)
        if required:
            out.append(
                _mismatch(path, p, c, f"the consumer requires {required}, which a dict may lack")
            )
        if isinstance(c, mi.StructType) and c.forbid_unknown_fields:
            reason = "the consumer forbids unknown fields, and a dict may hold any key"
            out.append(_mismatch(path, p, c, reason))
        return out

    def _arrays(self, p: mi.Type, c: mi.Type, path: str) -> list[Mismatch]:
        have, want = _positions(p), _positions(c)
        sent = (len(have), len(have)) if have is not None else _lengths(p)
        out = _count(path, p, c, sent, _accepted_count(c, want))
        if want is None:
            if have is None:
                return out + self.check(_item(p), _item(c), path + "[]")
            return out + [
                m for s in have for m in self.check(s.type, _item(c), _join(path, s.name))
            ]
        types = (
            [s.type for s in have]
            if have is not None
            else [_item(p)] * min(len(want), sent[1] or len(want))
        )
        for slot, t in zip(want, types):
            out += self.check(t, slot.type, _join(path, slot.name))
        return out


def _mismatch(path: str, p: mi.Type, c: mi.Type, reason: str) -> Mismatch:
    return Mismatch(path=path, producer=_name(p), consumer=_name(c), reason=reason)


def _join(path: str, name: str) -> str:
    if name.startswith("["):
        return path + name
    return f"{path}.{name}" if path else name


def _shape(t: mi.Type) -> str:
    if isinstance(t, mi.StructType):
        return "fixed" if t.array_like else "map"
    if isinstance(t, (mi.TypedDictType, mi.DataclassType)):
        return "map"
    if isinstance(t, (mi.NamedTupleType, mi.TupleType)):
        return "fixed"
    if isinstance(t, mi.CollectionType):
        return "seq"
    return "dict" if isinstance(t, _DICTS) else "scalar"


def _family(t: mi.Type) -> str:
    """Name the kind of msgpack value a type travels as, to tell union members apart."""
    shape = _shape(t)
    if shape != "scalar":
        return "map" if shape in ("map", "dict") else "array"
    if values := _finite_values(t):
        return "number" if type(values[0]) is int else type(values[0]).__name__
    if isinstance(t, mi.EnumType):
        return "number" if issubclass(t.cls, int) else "str"
    return _FAMILIES.get(type(t), type(t).__name__)


def _finite_values(t: mi.Type) -> tuple[object, ...] | None:
    if isinstance(t, mi.LiteralType):
        return t.values
    if isinstance(t, mi.EnumType) and not issubclass(t.cls, enum.Flag):
        return tuple(member.value for member in t.cls)
    if isinstance(t, mi.BoolType):
        return (False, True)
    return (None,) if isinstance(t, mi.NoneType) else None


def _values(p: mi.Type, c: mi.Type, path: str, values: tuple[object, ...]) -> list[Mismatch]:
    rejected = [v for v in values if not _accepts(c, v)]
    if not rejected:
        return []
    shown = ", ".join(map(repr, rejected[:5])) + (", ..." if len(rejected) > 5 else "")
    what = "value {} is" if len(rejected) == 1 else "values {} are"
    return [_mismatch(path, p, c, what.format(shown) + " not accepted by the consumer")]


def _accepts(c: mi.Type, v: object) -> bool:
    c = _unwrap(c)
    if isinstance(c, (mi.AnyType, mi.RawType)):
        return True
    if isinstance(c, mi.UnionType):
        return any(_accepts(m, v) for m in c.types)
    if isinstance(c, mi.LiteralType):
        return (type(v), v) in {(type(x), x) for x in c.values}
    if isinstance(c, mi.EnumType):
        try:
            return type(v) in (int, str) and c.cls(v) is not None
        except ValueError:
            return False
    kinds = _VALUE_KINDS.get(type(c), ())
    return type(v) in kinds and all(
        check(v, bound)
        for name, check in _VALUE_CHECKS.items()
        if (bound := getattr(c, name, None)) is not None
    )


def _scalar(p: mi.Type, c: mi.Type, path: str) -> list[Mismatch]:
    same = type(p) is type(c) and getattr(p, "cls", None) == getattr(c, "cls", None)
    naive = isinstance(p, mi.DateTimeType) and p.tz is False and isinstance(c, mi.StrType)
    if not (same or naive or isinstance(c, _WIDENS.get(type(p), ()))):
        if _family(p) == _family(c):
            return [_mismatch(path, p, c, "not every value the producer sends fits the consumer")]
        return [_mismatch(path, p, c, "incompatible types")]
    gaps = [
        f"{name}={bound!r}"
        for name in _CONSTRAINTS_ALL
        if (bound := getattr(c, name, None)) is not None and not _guarantees(p, name, bound)
    ]
    if not gaps:
        return []
    reason = f"the consumer requires {', '.join(gaps)}, which the producer does not guarantee"
    return [_mismatch(path, p, c, reason)]


def _guarantees(p: mi.Type, name: str, bound: Any) -> bool:
    """Whether the producer's own constraints imply the consumer's `name=bound`."""
    if name in ("ge", "gt"):
        lo = _bound(p, "ge", "gt", 1)
        return lo is not None and (lo[0] > bound or (lo[0] == bound and (name == "ge" or lo[1])))
    if name in ("le", "lt"):
        hi = _bound(p, "le", "lt", -1)
        return hi is not None and (hi[0] < bound or (hi[0] == bound and (name == "le" or hi[1])))
    have = getattr(p, name, None)
    if have is None:
        return False
    if name == "multiple_of":
        return bool(have % bound == 0)
    if name in ("min_length", "max_length"):
        return bool(have >= bound if name == "min_length" else have <= bound)
    return bool(have == bound)  # pattern, tz


def _bound(p: mi.Type, inclusive: str, strict: str, step: int) -> tuple[Any, bool] | None:
    """The producer's tightest bound on one side as (value, is_strict), or None."""
    inc, exc = getattr(p, inclusive, None), getattr(p, strict, None)
    if isinstance(p, mi.IntType) and exc is not None:  # for ints, > 3 means >= 4
        inc = exc + step if inc is None else (max if step > 0 else min)(inc, exc + step)
        exc = None
    options = [(v, s) for v, s in ((inc, False), (exc, True)) if v is not None]
    if not options:
        return None
    return max(options) if step > 0 else min(options, key=lambda o: (o[0], not o[1]))


def _producer_slots(t: mi.Type) -> dict[str, _Slot]:
    fields: tuple[mi.Field, ...] = getattr(t, "fields", ())
    cls = getattr(t, "cls", None)
    omit = (
        isinstance(t, mi.StructType)
        and getattr(cls, "__origin__", cls).__struct_config__.omit_defaults
    )
    slots = {
        f.encode_name: _Slot(f.name, f.encode_name, f.type, not f.required and (omit or _unset(f)))
        for f in fields
    }
    if isinstance(t, mi.StructType) and t.tag_field is not None:
        slots[t.tag_field] = _Slot(t.tag_field, t.tag_field, mi.LiteralType((t.tag,)), False)
    return slots


def _unset(f: mi.Field) -> bool:
    """Whether an optional field has no default: `UNSET`, or a non-total TypedDict key."""
    return f.default is NODEFAULT and f.default_factory is NODEFAULT


def _consumer_slots(t: mi.Type, tag_required: bool) -> dict[str, _Slot]:
    fields: tuple[mi.Field, ...] = getattr(t, "fields", ())
    slots = {f.encode_name: _Slot(f.name, f.encode_name, f.type, not f.required) for f in fields}
    if isinstance(t, mi.StructType) and t.tag_field is not None:
        tag = _Slot(t.tag_field, t.tag_field, mi.LiteralType((t.tag,)), not tag_required)
        slots[t.tag_field] = tag
    return slots


def _missing_reason(slot: _Slot, have: dict[str, _Slot]) -> str:
    encoded = f" (encoded as '{slot.key}')" if slot.key != slot.name else ""
    reason = (
        f"field '{slot.name}'{encoded} is required by the consumer and missing from the producer"
    )
    alias = next((s.key for s in have.values() if s.name == slot.name), None)
    return reason + (f", which encodes '{slot.name}' as '{alias}'" if alias else "")


def _tag_reason(p: mi.StructType, structs: list[mi.StructType]) -> str:
    field = structs[0].tag_field
    if p.tag_field != field:
        return f"the consumer picks a union member by tag field '{field}', which the producer does not send"
    tags = ", ".join(repr(s.tag) for s in structs)
    return f"tag {p.tag!r} is none of the consumer's tags {tags}"


def _positions(t: mi.Type) -> list[_Slot] | None:
    """The slots of a fixed-length array type in order; None for variadic collections."""
    if isinstance(t, mi.TupleType):
        return [_Slot(f"[{i}]", "", item, False) for i, item in enumerate(t.item_types)]
    if isinstance(t, mi.CollectionType):
        return None
    slots = [_Slot(f.name, f.encode_name, f.type, not f.required) for f in getattr(t, "fields", ())]
    if isinstance(t, mi.StructType) and t.tag_field is not None:  # array_like: tag comes first
        slots.insert(0, _Slot(t.tag_field, "", mi.LiteralType((t.tag,)), False))
    return slots


def _accepted_count(c: mi.Type, slots: list[_Slot] | None) -> tuple[int, int | None]:
    if slots is None:
        return _lengths(c)
    least = max((i + 1 for i, s in enumerate(slots) if not s.optional), default=0)
    extra_ok = isinstance(c, mi.StructType) and not c.forbid_unknown_fields
    return (least, None if extra_ok else len(slots))


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
        return f"at least {lo} items" if lo else "any number of items"
    if lo == hi:
        return f"exactly {lo} item{'s' if lo != 1 else ''}"
    return f"{lo} to {hi} items" if lo else f"at most {hi} items"
