"""The update check runs compiled (mypyc, setup.py) on the sync hot path: the build is current,
and it decides exactly as the plain Python source does on every input the bound's tests use."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

import server.protocol.update_bounds as loaded
from tests.support.hostile import deep_any
from tests.unit.test_update_bounds import BROKEN, every_kind

SOURCE = Path(loaded.__file__).with_name("update_bounds.py")
REBUILD = "rebuild it: scripts/test does, or `.venv/bin/pip install -e '.[test]'`"


def pure_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("update_bounds_pure", SOURCE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def outcome(module: ModuleType, update: bytes, bounds: tuple[int, int]) -> object:
    try:
        return tuple(module.check_update(update, module.Bounds(*bounds)))
    except module.UpdateRefused as exc:
        return type(exc).__name__


def test_the_check_runs_compiled_and_the_build_is_not_older_than_its_source():
    compiled = Path(loaded.__file__)
    assert compiled.suffix == ".so", f"update_bounds runs as plain Python ({compiled}): a C compiler and {REBUILD}"
    assert compiled.stat().st_mtime >= SOURCE.stat().st_mtime, f"the compiled update check is older than its source: {REBUILD}"


def samples() -> list[bytes]:
    kinds = every_kind()
    truncations = [kinds[-2][:end] for end in range(0, len(kinds[-2]), 3)]
    deep = [deep_any(depth, tag=tag) for depth in (1, 63, 64, 65, 2000) for tag in (0x75, 0x76)]
    return kinds + list(BROKEN.values()) + truncations + deep


@pytest.mark.parametrize("bounds", [(64, 200_000), (8, 20)], ids=["default-bounds", "tight-bounds"])
def test_compiled_and_pure_python_decide_alike(bounds):
    pure = pure_module()
    for update in samples():
        assert outcome(loaded, update, bounds) == outcome(pure, update, bounds), update[:40]
