"""A Jinja sandbox bounded in work, not only in what it may touch.

Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` keeps a
district's certificate template away from Python internals, but not from
busy work: nested ``range()`` loops that write nothing ran for 35 seconds.
:class:`BoundedSandbox` adds, per render (:func:`budget`):

* a count of loop iterations: every ``{% for %}`` loop (of a range, a list, a
  string, a filter's result, a recursive loop) is compiled over a guard that
  counts each item against :data:`MAX_ITERATIONS`;
* a wall-clock deadline (:data:`RENDER_SECONDS`), checked at every iteration,
  every call (functions, macros, methods) and every piece of output;
* ``range()`` of at most :data:`MAX_RANGE` items, and ``*`` and ``**`` that
  cannot build a huge string, list or number in one operation.

Exceeding any of them raises :class:`~issuer.certificates.errors.CertificateError`
``template_too_costly`` (422), which the author sees like any template error.
"""

from __future__ import annotations

import operator
import time
from collections.abc import Iterable
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes
from jinja2.ext import Extension
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment

from issuer.certificates.errors import CertificateError
from issuer.certificates.errors import template_error

#: Most loop iterations one render may take (the built-in templates take under 100).
MAX_ITERATIONS = 100_000
#: Longest a render of the HTML may take, in seconds.
RENDER_SECONDS = 5.0
#: Most items of one ``range()``.
MAX_RANGE = 10_000
#: Longest string or list ``*`` may build, and the largest power ``**`` may take.
MAX_SEQUENCE = 512 * 1024
MAX_EXPONENT = 64
MAX_POWER_BASE = 10**6

CODE = "template_too_costly"


@dataclass(slots=True)
class Budget:
    """What one render may still spend."""

    deadline: float
    iterations: int = 0

    def charge(self, iterations: int = 0) -> None:
        """Spend ``iterations`` and check the clock.

        Raises:
            CertificateError: ``template_too_costly``.
        """
        self.iterations += iterations
        if self.iterations > MAX_ITERATIONS:
            raise too_costly(f"its loops ran more than {MAX_ITERATIONS:,} times")
        if time.monotonic() > self.deadline:
            raise too_costly(f"it took longer than {RENDER_SECONDS:g} seconds to fill in")


_BUDGET: ContextVar[Budget | None] = ContextVar("certificate_render_budget", default=None)


def too_costly(why: str) -> CertificateError:
    """The error of a template that asks for too much work."""
    return template_error(f"the template is too costly to render: {why}; simplify its loops",
                          code=CODE)


@contextmanager
def budget(seconds: float = RENDER_SECONDS) -> Iterator[Budget]:
    """Bound the renders inside the ``with`` block (one certificate's HTML)."""
    found = Budget(deadline=time.monotonic() + seconds)
    token = _BUDGET.set(found)
    try:
        yield found
    finally:
        _BUDGET.reset(token)


def charge(iterations: int = 0) -> None:
    """Charge the current render's budget (nothing outside :func:`budget`)."""
    found = _BUDGET.get()
    if found is not None:
        found.charge(iterations)


def _guarded(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        charge(1)
        yield item


class LoopGuard(Extension):
    """Compiles every ``for`` loop over :meth:`guard` (see the module docstring)."""

    def guard(self, iterable: Any) -> Any:
        """The loop's items, each counted against the render's budget."""
        if iterable is None or not hasattr(iterable, "__iter__"):
            return iterable  # let Jinja report what it cannot loop over, as it would
        return _guarded(iterable)


def _bounded_range(*args: int) -> range:
    found = range(*args)
    if len(found) > MAX_RANGE:
        raise too_costly(f"range() may have at most {MAX_RANGE:,} items")
    return found


def _power(base: Any, exponent: Any) -> Any:
    if isinstance(exponent, int) and isinstance(base, int) and (
            abs(exponent) > MAX_EXPONENT or abs(base) > MAX_POWER_BASE):
        raise too_costly(f"powers are limited to exponents up to {MAX_EXPONENT}")
    return operator.pow(base, exponent)


def _times(left: Any, right: Any) -> Any:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int) \
                and len(sequence) * count > MAX_SEQUENCE:
            raise too_costly(f"text or lists built with * are limited to {MAX_SEQUENCE:,} "
                             "items")
    return operator.mul(left, right)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, with every loop, call and operator bounded per render."""

    intercepted_binops = frozenset({"*", "**"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Like :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment`, plus :class:`LoopGuard`."""
        kwargs["extensions"] = [*kwargs.get("extensions", ()), LoopGuard]
        super().__init__(*args, **kwargs)
        self.globals["range"] = _bounded_range
        self.globals.pop("lipsum", None)
        self.binop_table = {**self.binop_table, "*": _times, "**": _power}

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        guard = LoopGuard.identifier
        for loop in tree.find_all(nodes.For):
            loop.iter = nodes.Call(nodes.ExtensionAttribute(guard, "guard"), [loop.iter], [],
                                   None, None, lineno=loop.lineno)
        return tree

    def call(__self, __context: Context, __obj: Any,  # noqa: N805 - Jinja's own signature
             *args: Any, **kwargs: Any) -> Any:
        """Call from the template, after checking the render's deadline."""
        charge()
        return super().call(__context, __obj, *args, **kwargs)
