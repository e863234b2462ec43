"""The service's Jinja templates (pages, e-mails, certificates), installed as ``badges_templates``.

This folder is data, not code: in the repository it is the top-level
``templates/`` folder, and ``setup.py`` installs it as the package
``badges_templates`` so that an installed service finds its templates through
the package, wherever it runs from. :data:`ROOT` is the folder itself.
"""

from pathlib import Path

#: The folder holding the templates (``base.html``, ``issuer/``, ``certificates/``...).
ROOT: Path = Path(__file__).resolve().parent
