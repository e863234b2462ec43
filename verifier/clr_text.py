"""Texts of the CLR 2.0 result page (issue #20), in English and Spanish.

Kept apart from :mod:`verifier.i18n` (whose verdict titles and per-check
sentences the page reuses) so the CLR page's words live with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from badges.clr_verify import ClrReport

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "clr_title": "Comprehensive Learner Record (CLR 2.0)",
        "clr_summary": "{ok} of the {total} credentials in this record verified.",
        "clr_all_verified": "The record and every credential in it are genuine and current.",
        "clr_problems": "What is wrong",
        "clr_record": "The record itself",
        "clr_record_help": "Signed by the issuer over everything in it, including each "
                           "credential.",
        "clr_name": "Record",
        "clr_issuer": "Issued by",
        "clr_issued_on": "Issued on",
        "clr_partial": "Partial: the issuer left out some of this person's credentials.",
        "clr_credentials": "Credentials in this record",
        "clr_credential_issuer": "Issued by",
        "clr_unchecked": "{n} more credentials were not checked (at most {max} are).",
        "clr_checks": "All checks of this credential",
        "clr_no_credentials": "The record holds no credentials to check.",
        "clr_structure": "How these achievements fit together",
        "clr_structure_help": "As the issuer describes it in the signed record.",
        "rel_isPartOf": "Part of",
        "rel_precedes": "Comes before",
        "rel_isParentOf": "Includes",
        "rel_isChildOf": "Comes under",
        "rel_isPeerOf": "At the same level as",
        "rel_exactMatchOf": "The same as",
        "rel_isRelatedTo": "Related to",
        "rel_replacedBy": "Replaced by",
    },
    "es": {
        "clr_title": "Registro completo del aprendiz (CLR 2.0)",
        "clr_summary": "{ok} de las {total} credenciales de este registro están verificadas.",
        "clr_all_verified": "El registro y todas sus credenciales son auténticos y vigentes.",
        "clr_problems": "Qué falla",
        "clr_record": "El registro en sí",
        "clr_record_help": "Firmado por el emisor sobre todo su contenido, incluida cada "
                           "credencial.",
        "clr_name": "Registro",
        "clr_issuer": "Emitido por",
        "clr_issued_on": "Emitido el",
        "clr_partial": "Parcial: el emisor omitió algunas credenciales de esta persona.",
        "clr_credentials": "Credenciales de este registro",
        "clr_credential_issuer": "Emitida por",
        "clr_unchecked": "No se comprobaron {n} credenciales más (se comprueban {max} como "
                         "máximo).",
        "clr_checks": "Todas las comprobaciones de esta credencial",
        "clr_no_credentials": "El registro no contiene credenciales que comprobar.",
        "clr_structure": "Cómo encajan estos logros",
        "clr_structure_help": "Tal como lo describe el emisor en el registro firmado.",
        "rel_isPartOf": "Forma parte de",
        "rel_precedes": "Va antes de",
        "rel_isParentOf": "Incluye",
        "rel_isChildOf": "Depende de",
        "rel_isPeerOf": "Al mismo nivel que",
        "rel_exactMatchOf": "Equivale a",
        "rel_isRelatedTo": "Relacionado con",
        "rel_replacedBy": "Sustituido por",
    },
}


@dataclass(frozen=True, slots=True)
class ClrTexts:
    """The CLR page's texts in one language (English when a key is missing)."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        """The text for ``key``, formatted with ``values``."""
        text = TEXT.get(self.lang, {}).get(key) or TEXT["en"].get(key) or key
        return text.format(**values) if values else text


def to_text(report: ClrReport) -> str:
    """The record's verification as plain text (``badges verify`` on a CLR), in English."""
    total = len(report.credentials)
    ok = sum(1 for c in report.credentials if c.verdict == "verified")
    lines = [f"{report.name}: {report.verdict.value.upper()}",
             f"The record itself: {report.record.verdict.value}",
             TEXT["en"]["clr_summary"].format(ok=ok, total=total)]
    lines += [f"  {c.position}. {c.name}: {c.verdict.value}"
              + (f" ({c.reason})" if c.reason else "") for c in report.credentials]
    structure = report.structure
    if structure:
        lines.append(TEXT["en"]["clr_structure"] + ":")
        lines += [f"  {line.name} — {TEXT['en']['rel_' + line.relation]}: "
                  + ", ".join(line.targets) for line in structure]
    problems = report.problems()
    if problems:
        lines += ["Problems:", *(f"  - {p}" for p in problems)]
    return "\n".join(lines) + "\n"
