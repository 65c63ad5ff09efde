"""Parse TOML and YAML blueprints into plain data plus a map of where each key is.

Neither `tomllib` nor msgspec reports positions, so this package keeps a
`SourceMap`: for every key path of the parsed document, the 1-based line and
column where the key (or array element) starts. Data always comes from the real
parser (`tomllib`, PyYAML); for TOML the positions come from a small lenient
scanner that never validates, so any input gives data or `SourceSyntaxError`.

Duplicate keys are reported, not fatal: the first definition wins, so the rest
of the document still loads and every problem can be shown at once.
"""

from __future__ import annotations

from sandbox.blueprint.sourcemap._map import (
    DuplicateKey,
    PathKey,
    SourceMap,
    SourceSyntaxError,
    json_path,
)
from sandbox.blueprint.sourcemap._toml import parse_toml
from sandbox.blueprint.sourcemap._yaml import parse_yaml

__all__ = [
    "DuplicateKey",
    "PathKey",
    "SourceMap",
    "SourceSyntaxError",
    "json_path",
    "parse_toml",
    "parse_yaml",
]
