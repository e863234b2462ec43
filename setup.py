"""Package layout and the compiled modules: what pyproject.toml alone cannot say.

The page, e-mail and certificate templates live in the top-level
``templates/`` folder of the repository and are installed as the data-only
package ``badges_templates``, so an installed service finds them through the
package (``importlib.resources``), never beside a source checkout.

The hot-path modules listed in ``badges/native.py`` (``COMPILED``) are compiled
to C with mypyc, a build requirement in pyproject.toml. The extensions are
optional: without a C compiler the build warns and installs the Python source,
which gives the same answers, only slower. ``BADGES_PURE_PYTHON=1`` at build
time skips the compilation. Everything else about the project is in
``pyproject.toml``.
"""

import ast
import os
from pathlib import Path

from setuptools import find_packages
from setuptools import setup


def _compiled_sources() -> list[str]:
    """``badges/native.py``'s COMPILED list, read without importing the package."""
    tree = ast.parse(Path(__file__).with_name("badges").joinpath("native.py").read_text("utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "COMPILED":
            return [f"badges/{name}" for name in ast.literal_eval(node.value)]
    raise RuntimeError("badges/native.py names no COMPILED modules")


def _extensions() -> list:
    if os.environ.get("BADGES_PURE_PYTHON", "") not in ("", "0"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # a build without the build requirements (e.g. --no-build-isolation)
        return []
    extensions = mypycify(_compiled_sources(), opt_level="3", debug_level="0",
                          group_name="badges_native")
    for extension in extensions:
        extension.optional = True
    return extensions


setup(
    packages=[*find_packages(include=["badges*", "issuer*", "verifier*"]), "badges_templates"],
    package_dir={"badges_templates": "templates"},
    ext_modules=_extensions(),
)
