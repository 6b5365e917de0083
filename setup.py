"""Build hook: the wheel carries the bundled catalog precompiled (costcalc.catalog_cache).

Everything else about the build is in pyproject.toml. `build_py` copies the package as
usual, then writes `costcalc/bundled/catalog.compiled.json` from the bundled sheets it just
copied, so the first `costcalc` run after installing reads no YAML. If it cannot be made
(a sheet that does not load), the wheel is built without it and costcalc parses the sheets
on first use, as before: the file only saves time.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithCompiledCatalog(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the source tree: nothing to precompile
        bundled = Path(self.build_lib) / "costcalc" / "bundled"
        if not (bundled / "models.yaml").is_file():
            return
        sys.path.insert(0, str(Path(self.build_lib)))
        try:
            from costcalc.catalog import compile_bundled
            from costcalc.catalog_cache import COMPILED_NAME

            data = compile_bundled(bundled)
        except Exception as exc:  # the wheel still works without it
            print(f"warning: bundled catalog not precompiled: {exc}", file=sys.stderr)
            return
        finally:
            sys.path.pop(0)
            for name in [m for m in sys.modules if m == "costcalc" or m.startswith("costcalc.")]:
                del sys.modules[name]
        (bundled / COMPILED_NAME).write_bytes(data)


setup(cmdclass={"build_py": BuildWithCompiledCatalog})
