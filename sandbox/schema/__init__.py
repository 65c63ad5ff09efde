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

from sandbox.schema._compat import check_compatible
from sandbox.schema._fingerprint import fingerprint, json_schema
from sandbox.schema._names import Mismatch, check_type, type_name

__all__ = ["Mismatch", "check_compatible", "check_type", "fingerprint", "json_schema", "type_name"]
