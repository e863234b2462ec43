"""Package layout that pyproject.toml alone cannot say.

The page, e-mail and certificate templates live in the top-level
``templates/`` folder of the repository and are installed as the data-only
package ``badges_templates``, so an installed service finds them through the
package (``importlib.resources``), never beside a source checkout. Everything
else about the project is in ``pyproject.toml``.
"""

from setuptools import find_packages
from setuptools import setup

setup(
    packages=[*find_packages(include=["badges*", "issuer*", "verifier*"]), "badges_templates"],
    package_dir={"badges_templates": "templates"},
)
