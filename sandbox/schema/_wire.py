"""How msgpack carries each type: wire kinds, union dispatch, finite values and constraints.

These decide compatibility for everything that is not a map or an array; `_compat` walks those.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Final

from msgspec import inspect as mi

from sandbox.schema._names import _CONSTRAINTS, _DICTS, _mismatch, _unwrap

if TYPE_CHECKING:
    from collections.abc import Callable

    from sandbox.schema._names import Mismatch


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
