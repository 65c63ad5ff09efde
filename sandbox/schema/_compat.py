"""`check_compatible`: whether a producer's records decode as the consumer's type.

The rules are in the `sandbox.schema` docstring. Maps and arrays (records, dicts, tuples,
collections) are walked here, field by field; everything else is judged in `_wire`.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any, NamedTuple

import msgspec
from msgspec import NODEFAULT
from msgspec import inspect as mi

from sandbox.schema._names import _DICTS, _join, _mismatch, _name, _unwrap
from sandbox.schema._wire import (
    _container,
    _dispatch,
    _finite_values,
    _scalar,
    _values,
    _wire_kinds,
)

if TYPE_CHECKING:
    from sandbox.schema._names import Mismatch


def check_compatible(producer: object, consumer: object) -> list[Mismatch]:
    """List every reason records of `producer` may fail to decode as `consumer`.

    The rules are in the `sandbox.schema` docstring; every mismatch is reported, each with its path.

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
