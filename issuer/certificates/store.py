"""Districts' own certificate templates, kept in the service's storage (:mod:`issuer.storage`).

An issuer's template ``name`` is a set of files under
``certificate-templates/<issuer slug>/<name>/<version>/``, checked by
:func:`issuer.certificates.templates.check_files` before they are written,
and a small object ``certificate-templates/<issuer slug>/<name>/current``
naming the version in use. An upload writes a new version, then points
``current`` at it, then removes the old one: a renderer on any host reads the
old template or the new one, never half of one. (A template written by an
older release, its files straight under ``<name>/``, is still read.)

A school without a template of its own uses its district's, then the
built-in one of that name; ``default`` replaces the built-in default for the
issuer (and its schools). WeasyPrint renders from a folder, so with object
storage a version is copied once into the local cache folder (versions never
change, so the copy never goes stale).
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

from issuer.certificates import templates
from issuer.certificates.errors import CertificateError
from issuer.storage import MissingObject
from issuer.storage import Storage
from issuer.storage.local import LocalStorage

FOLDER = "certificate-templates"
CURRENT = "current"


def _prefix(issuer_slug: str, name: str | None = None) -> str:
    base = f"{FOLDER}/{templates.check_name(issuer_slug)}"
    return f"{base}/{templates.check_name(name)}" if name is not None else base


def _version(storage: Storage, issuer_slug: str, name: str) -> str | None:
    """The version in use ("" for an old-layout template), None when there is none."""
    prefix = _prefix(issuer_slug, name)
    try:
        return storage.get(f"{prefix}/{CURRENT}").decode("ascii").strip()
    except MissingObject:
        pass
    legacy = [k for k in storage.keys(prefix) if "/" not in k[len(prefix) + 1:]]
    return "" if legacy else None


def _files_key(issuer_slug: str, name: str, version: str) -> str:
    prefix = _prefix(issuer_slug, name)
    return f"{prefix}/{version}" if version else prefix


def _local_copy(storage: Storage, cache: Path, key: str) -> Path:
    """The folder of the objects directly under ``key`` (a cached copy for object storage)."""
    if isinstance(storage, LocalStorage):
        return storage.path(key)
    target = cache / key
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o750)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=".copy-"))
    try:
        for found in storage.keys(key):
            relative = found[len(key) + 1:]
            if "/" not in relative:
                (staging / relative).write_bytes(storage.get(found))
        try:
            staging.rename(target)
        except OSError:  # another process copied it first
            shutil.rmtree(staging, ignore_errors=True)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def cache_folder(storage: Storage) -> Path:
    """Where copies of templates from object storage are kept on this machine."""
    return Path(tempfile.gettempdir()) / "badges-template-cache" if not isinstance(
        storage, LocalStorage) else storage.root / ".cache"


def resolve(storage: Storage, issuer_chain: Sequence[str], name: str) -> Path:
    """The folder of template ``name`` for an issuer.

    Args:
        storage: the service's storage.
        issuer_chain: the issuer's slug, then its parent's (a school, then its district).
        name: the template's name.

    Returns:
        The issuer's own template, else its parent's, else the built-in one.

    Raises:
        CertificateError: ``invalid_template_name`` or ``template_not_found`` (404).
    """
    templates.check_name(name)
    for slug in issuer_chain:
        version = _version(storage, slug, name)
        if version is not None:
            return _local_copy(storage, cache_folder(storage), _files_key(slug, name, version))
    try:
        return templates.builtin(name)
    except CertificateError:
        raise CertificateError(f"there is no certificate template {name!r} for "
                               f"{issuer_chain[0] if issuer_chain else 'this issuer'}",
                               code="template_not_found", status=404) from None


def stage(files: Mapping[str, bytes]) -> Path:
    """Check ``files`` and write them to a temporary local folder (to render samples from).

    Returns:
        The folder; :func:`discard` removes it.

    Raises:
        CertificateError: from :func:`issuer.certificates.templates.check_files`.
    """
    templates.check_files(files)
    staged = Path(tempfile.mkdtemp(prefix="badges-template-"))
    for name, data in files.items():
        (staged / name).write_bytes(data)
    return staged


def publish(storage: Storage, issuer_slug: str, name: str, files: Mapping[str, bytes]) -> str:
    """Write ``files`` as a new version of the template, put it in use, drop the old one.

    Returns:
        The new version.
    """
    templates.check_files(files)
    old = _version(storage, issuer_slug, name)
    version = f"v{secrets.token_hex(8)}"
    key = _files_key(issuer_slug, name, version)
    for file_name, data in files.items():
        storage.put(f"{key}/{file_name}", data)
    storage.put(f"{_prefix(issuer_slug, name)}/{CURRENT}", version.encode("ascii"))
    if old is not None:
        _remove_version(storage, issuer_slug, name, old)
    return version


def _remove_version(storage: Storage, issuer_slug: str, name: str, version: str) -> None:
    key = _files_key(issuer_slug, name, version)
    if version:
        storage.delete_prefix(key)
    else:  # an old-layout template: only the files straight under <name>/
        for found in storage.keys(key):
            if "/" not in found[len(key) + 1:] and not found.endswith(f"/{CURRENT}"):
                storage.delete(found)


def discard(staged: Path) -> None:
    """Remove a staged folder."""
    shutil.rmtree(staged, ignore_errors=True)


def list_names(storage: Storage, issuer_slug: str) -> list[str]:
    """The names of an issuer's own templates."""
    prefix = _prefix(issuer_slug)
    names = {k[len(prefix) + 1:].split("/", 1)[0] for k in storage.keys(prefix)}
    return sorted(n for n in names if _version(storage, issuer_slug, n) is not None)


def delete(storage: Storage, issuer_slug: str, name: str) -> bool:
    """Remove an issuer's template; True when there was one."""
    version = _version(storage, issuer_slug, name)
    if version is None:
        return False
    storage.delete(f"{_prefix(issuer_slug, name)}/{CURRENT}")
    storage.delete_prefix(_prefix(issuer_slug, name))
    return True
