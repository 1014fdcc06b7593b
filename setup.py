"""Compile the check every incoming Yjs update passes (``server/protocol/update_bounds.py``) with
mypyc: the same Python source, about five times faster on the sync hot path
(docs/performance.md). Where mypyc or a C compiler is missing, or the build fails, the module
runs as plain Python: slower, identical in what it accepts (tests/unit/test_update_bounds.py
runs both)."""

from __future__ import annotations

from setuptools import setup
from setuptools.command.build_ext import build_ext

COMPILED = ["server/protocol/update_bounds.py"]


class OptionalBuildExt(build_ext):
    """Build the compiled modules if possible; a failure leaves the pure module in place."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any build failure means: stay pure Python
            print(f"tandem: {COMPILED[0]} stays pure Python (build failed: {exc})")

    def build_extension(self, ext) -> None:  # type: ignore[no-untyped-def]
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            print(f"tandem: {ext.name} stays pure Python (build failed: {exc})")


def compiled_modules() -> list:
    try:
        from mypyc.build import mypycify
    except ImportError:
        print(f"tandem: no mypyc; {COMPILED[0]} stays pure Python")
        return []
    return mypycify(COMPILED, opt_level="3")


setup(ext_modules=compiled_modules(), cmdclass={"build_ext": OptionalBuildExt})
