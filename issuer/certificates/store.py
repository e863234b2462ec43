"""Districts' own certificate templates, kept on disk in the instance folder.

``<instance>/certificate-templates/<issuer slug>/<template name>/`` holds the
files of one template, checked by :func:`issuer.certificates.templates.check_files`
before they are written. A school without a template of its own uses its
district's, then the built-in one of that name. A template named ``default``
replaces the built-in default for the issuer (and its schools).

Writes go to a fresh folder that replaces the old one by renaming, so a
renderer never reads half a template.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

from issuer.certificates import templates
from issuer.certificates.errors import CertificateError

FOLDER = "certificate-templates"


def issuer_folder(instance_path: Path, issuer_slug: str) -> Path:
    """Where an issuer's templates live."""
    return instance_path / FOLDER / templates.check_name(issuer_slug)


def resolve(instance_path: Path, issuer_chain: Sequence[str], name: str) -> Path:
    """The folder of template ``name`` for an issuer.

    Args:
        instance_path: the service's instance folder.
        issuer_chain: the issuer's slug, then its parent's (a school, then its district).
        name: the template's name.

    Returns:
        The issuer's own template, else its parent's, else the built-in one.

    Raises:
        CertificateError: ``invalid_template_name`` or ``template_not_found`` (404).
    """
    templates.check_name(name)
    for slug in issuer_chain:
        folder = issuer_folder(instance_path, slug) / name
        if folder.is_dir():
            return folder
    try:
        return templates.builtin(name)
    except CertificateError:
        raise CertificateError(f"there is no certificate template {name!r} for "
                               f"{issuer_chain[0] if issuer_chain else 'this issuer'}",
                               code="template_not_found", status=404) from None


def stage(instance_path: Path, issuer_slug: str, files: Mapping[str, bytes]) -> Path:
    """Check ``files`` and write them to a new, not yet active, folder.

    Returns:
        The staged folder; :func:`activate` puts it in place, :func:`discard` drops it.

    Raises:
        CertificateError: from :func:`issuer.certificates.templates.check_files`.
    """
    templates.check_files(files)
    parent = issuer_folder(instance_path, issuer_slug)
    staged = parent / f".staged-{secrets.token_hex(8)}"
    staged.mkdir(parents=True, mode=0o750)
    for name, data in files.items():
        (staged / name).write_bytes(data)
    return staged


def activate(staged: Path, name: str) -> Path:
    """Make a staged folder the template ``name`` (replacing any previous one)."""
    target = staged.parent / templates.check_name(name)
    old = None
    if target.exists():
        old = staged.parent / f".old-{secrets.token_hex(8)}"
        target.rename(old)
    staged.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return target


def discard(staged: Path) -> None:
    """Remove a staged folder."""
    shutil.rmtree(staged, ignore_errors=True)


def list_names(instance_path: Path, issuer_slug: str) -> list[str]:
    """The names of an issuer's own templates."""
    folder = issuer_folder(instance_path, issuer_slug)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))


def delete(instance_path: Path, issuer_slug: str, name: str) -> bool:
    """Remove an issuer's template; True when there was one."""
    folder = issuer_folder(instance_path, issuer_slug) / templates.check_name(name)
    if not folder.is_dir():
        return False
    shutil.rmtree(folder)
    return True
