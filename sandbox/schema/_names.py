"""How types and places in a record are named: `type_name`, `check_type` and `Mismatch`.

The path notation is described in the `sandbox.schema` docstring.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final, final

import msgspec
from msgspec import inspect as mi

if TYPE_CHECKING:
    from collections.abc import Iterator


@final
class Mismatch(msgspec.Struct, frozen=True, kw_only=True):
    """One reason a producer's records may fail to decode as the consumer's type.

    `path` locates the problem inside the record (notation in the `sandbox.schema` docstring);
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


def _mismatch(path: str, p: mi.Type, c: mi.Type, reason: str) -> Mismatch:
    return Mismatch(path=path, producer=_name(p), consumer=_name(c), reason=reason)


def _join(path: str, name: str) -> str:
    return path + name if name.startswith("[") else f"{path}.{name}" if path else name
