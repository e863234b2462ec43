"""The verifier page in English and Spanish: a small message catalogue.

The language comes from ``?lang=`` (or the form's ``lang`` field), then the
browser's ``Accept-Language``, then English. Check results are explained by
their stable ``code``: English uses the core's own sentence; Spanish has a
sentence per code, and a per-check sentence for any code it does not know
(the English original stays in the technical detail).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from badges.model import parse_datetime
from badges.report import CheckResult
from badges.report import Outcome
from badges.verdict import Decision
from badges.verdict import Verdict

LANGUAGES = ("en", "es")
LANGUAGE_NAMES = {"en": "English", "es": "Español"}

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
           "septiembre", "octubre", "noviembre", "diciembre"),
}

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "skip": "Skip to content",
        "site": "Badge verifier",
        "title": "Check a badge",
        "intro": "Check an Open Badges 3.0 credential or an Open Badges 2.0 badge: who issued "
                 "it, to whom, for what, and whether it is intact, current and not withdrawn. "
                 "Nothing you check is stored.",
        "paste_label": "Paste a credential, a JWT or a link",
        "paste_help": "The credential's JSON, its JWT text, or the link from the badge's share "
                      "page.",
        "file_label": "Or upload a file",
        "file_help": "JSON or .jwt file, badge image (PNG or SVG) or PDF certificate.",
        "qr_label": "Or a photo of the QR code on a printed certificate",
        "qr_help": "A PNG or JPEG picture in which the QR code is clearly visible.",
        "who_label": "Your name and school (optional)",
        "who_help": "Printed on the verification receipt you can download.",
        "submit": "Check the badge",
        "nothing": "Paste a credential or a link, or choose a file, then try again.",
        "rate_limited": "Too many checks from your address in a short time. Please try again "
                        "in {seconds} seconds.",
        "not_a_link": "The address to check must be an http(s) link to a badge.",
        "language": "Language",
        "api_link": "JSON API (OpenAPI description)",
        "result_title": "Verification result",
        "achievement": "Achievement",
        "criteria": "Criteria",
        "criteria_link": "Criteria page",
        "aligned_to": "Aligned to these standards",
        "earned_by": "Earned by",
        "hashed_recipient": "identified only by a protected e-mail address",
        "issued_by": "Issued by",
        "issuer_id": "Issuer identifier",
        "known": "Known issuer",
        "unknown": "Not on this verifier's lists of known issuers",
        "no_registry": "No list of known issuers is configured",
        "impersonation": "Claims a known issuer's name under another identity",
        "issued_on": "Issued on",
        "expires_on": "Valid until",
        "expired_on": "Expired on",
        "no_expiry": "Does not expire",
        "status_as_of": "Revocation status as of",
        "withdrawn_on_revoked": "Revoked on {date}.",
        "withdrawn_on_suspended": "Suspended since {date}.",
        "reason_given": "Reason given by the issuer",
        "credential_id": "Credential identifier",
        "checked_at": "Checked at",
        "source": "Received as",
        "checks": "What was checked",
        "technical": "Technical detail",
        "code": "Code",
        "credential_json": "The credential as received",
        "receipt_title": "Verification receipt",
        "receipt_text": "Download a signed record of this check (what was checked, when, and "
                        "the result) to keep in the hiring file. It can be checked later with "
                        "any Open Badges verifier.",
        "receipt_button": "Download the receipt",
        # the district service's share page (issuer/web/public.py), one home for its words
        "share_revoked": "Revoked",
        "share_suspended": "Suspended",
        "share_expired": "Expired",
        "share_og_title": "{achievement}, earned by {name}",
        # endorsements by partners (issue #20): shown only when they verify
        "endorsements_title": "Endorsements",
        "endorsed_by": "Endorsed by {endorser}",
        "endorsement_not_verified": "An endorsement in the name of {endorser} did not verify, "
                                    "so it is not shown as an endorsement.",
        "endorsement_verified_note": "Each endorsement was verified: signed with the "
                                     "endorser's own key, current and not withdrawn.",
        "endorsement_unlisted": "An endorsement signed by {endorser}, who is not on this "
                                "verifier's lists of known issuers, is not shown as an "
                                "endorsement.",
        "share_og_issued": "Issued by {org}",
        "share_og_revoked": "{org} revoked this badge on {date}.",
        "share_og_suspended": "{org} suspended this badge on {date}.",
        "share_earned_by": "Earned by",
        "share_issued_by": "Issued by",
        "share_issued_on": "on {date}",
        "share_valid_until": "valid until {date}",
        "share_revoked_text": "{org} revoked this credential on {date}.",
        "share_reason": "Reason given: {reason}",
        "share_suspended_text": "{org} suspended this credential on {date} while it reviews it.",
        "share_expired_text": "This credential was valid until {date}. It remains a genuine "
                              "record of the achievement.",
        "share_active": "Current status: active.",
        "share_active_text": "{org} has not revoked or suspended it (as of {when} UTC)",
        "share_evidence": "Evidence shared by {name}",
        "share_evidence_item": "Evidence",
        "share_about": "About this micro-credential",
        "share_criteria": "Criteria and rubric",
        "share_aligned": "Aligned with:",
        "share_check": "Check it",
        "share_share": "Share, download or check it",
        "share_verify": "Verify this badge now",
        "share_link": "Link to this badge",
        "share_copy": "Copy link",
        "share_copied": "Link copied.",
        "share_copy_failed": "Select the link and copy it.",
        "share_copy_help": "Select the link to copy it, or use the button.",
        "share_json": "Credential (JSON)",
        "share_jwt": "Credential (JWT)",
        "share_withheld_revoked": "No certificate or badge image is offered for a revoked badge: "
                                  "they are printable copies of a valid badge. The credential "
                                  "file above, and \"Verify\", show its current status.",
        "share_withheld_suspended": "No certificate or badge image is offered for a suspended "
                                    "badge: they are printable copies of a valid badge. The "
                                    "credential file above, and \"Verify\", show its current "
                                    "status.",
        "share_pdf": "Certificate (PDF)",
        "share_pdf_a4": "Certificate (A4)",
        "share_png": "Badge image (PNG)",
        "share_svg": "Badge image (SVG)",
        "share_explain": "\"Verify\" checks the signature, the issuer's keys, the dates and the "
                         "revocation status, and says what it found. The certificate (US "
                         "Letter or A4) and the badge images carry the signed credential "
                         "inside them: any Open Badges 3.0 verifier can check them.",
        "receipt_print_button": "Open a printable receipt",
        "receipt_print_help": "Use your browser's Print command to print this page or save "
                              "it as a PDF for the hiring file.",
        "receipt_checked": "Checked on {date} at {time} UTC",
        "receipt_checked_by": "Checked on {date} at {time} UTC by {who}",
        "receipt_checked_with": "with {verifier}",
        "receipt_signed_ok": "This receipt carries the signature of {verifier}, and nothing "
                             "in it was changed after it was signed.",
        "receipt_signed_other": "This receipt was signed by another verifier ({verifier}); its "
                                "signature is intact.",
        "receipt_signed_bad": "This receipt's signature does not match its content: it was "
                              "changed after it was signed. Do not rely on it.",
        "receipt_claims": "What the receipt says (not verified)",
        "receipt_not_a_receipt": "This is not a verification receipt. Upload the receipt "
                                 "file (JSON) downloaded from a verification result.",
        "receipt_result": "Result",
        "receipt_too_large": "This file is too large to be a verification receipt.",
        "receipt_fingerprint": "Fingerprint of what was checked (SHA-256)",
        "receipt_id": "Receipt identifier",
        "receipt_open_title": "Open a verification receipt",
        "receipt_open_help": "Upload a receipt file (JSON) to check its signature and print it.",
        "receipt_file": "Receipt file",
        "receipt_open_button": "Open the receipt",
        "again": "Check another badge",
        "unnamed": "(no name given)",
        "image_alt": "Badge image for {name}",
        "source_paste": "Pasted text",
        "source_upload": "Uploaded file",
        "source_url": "Link",
        "source_qr": "QR code",
        "source_api": "API request",
        "verdict_verified": "Verified: this credential is genuine and current",
        "verdict_expired": "A genuine record that has expired",
        "verdict_revoked": "Revoked by the issuer",
        "verdict_suspended": "Suspended by the issuer",
        "verdict_unconfirmed": "Could not be fully checked",
        "verdict_forged": "Not genuine: do not rely on this credential",
        "verdict_invalid": "Not verified: this credential does not pass every check",
        "verdict_impersonation": "Impersonation: do not rely on this credential",
        "verdict_unreadable": "No credential could be read",
        "explain_verified": "Every check passed. The issuer signed it with a key it publishes, "
                            "nothing was changed after signing, and it has not been withdrawn.",
        "explain_verified_unknown": "The credential is genuine and current, but its issuer is "
                                    "not on this verifier's list of known issuers: check who "
                                    "the issuer is before relying on it.",
        "verdict_unknown_issuer": "Genuine signature, but the issuer is not on your list",
        "explain_unknown_issuer": "The credential was signed by the identity shown below and "
                                  "has not been changed since. But none of this verifier's "
                                  "lists of known issuers names that identity, so this "
                                  "verifier cannot tell you it is the organization it claims "
                                  "to be. Check with that organization before relying on it.",
        "signed_by": "Actually signed by",
        "vouched_by": "Listed as a known issuer by {registry}",
        "own_issuers": "this badge service ({host}), which hosts the issuer",
        "explain_expired": "The credential is genuine: it was issued as shown and has not been "
                           "altered. Its validity period has ended, so it records a past "
                           "achievement rather than a current one.",
        "explain_revoked": "The issuer has withdrawn this credential. It no longer stands.",
        "explain_suspended": "The issuer has suspended this credential for now. Ask the "
                             "holder or the issuer before relying on it.",
        "explain_unconfirmed": "Some checks could not be completed (for example, the issuer's "
                               "revocation list could not be reached). The credential is not "
                               "confirmed; try again later.",
        "explain_forged": "The credential was changed after it was signed, was not signed by "
                          "the issuer it names, borrows a known issuer's name, or a "
                          "certificate's page and the credential attached to it do not match.",
        "explain_forged_proof": "The credential was changed after it was signed: its digital "
                                "signature does not match what it says now.",
        "explain_forged_key_binding": "The credential was signed with a key that the issuer it "
                                      "names does not publish: someone other than that issuer "
                                      "signed it.",
        "explain_forged_format": "The certificate's page and the credential attached to it do "
                                 "not match: the page or the attachment was replaced.",
        "explain_impersonation": "Warning: the credential claims to come from an organization "
                                 "on this verifier's list of known issuers, but it was signed "
                                 "by another identity (shown below), not by that organization. "
                                 "It did not come from that organization: do not rely on it.",
        "explain_invalid_validity_period": "The credential's dates do not allow it to be "
                                           "accepted: it is not valid yet, or it does not say "
                                           "when it was issued.",
        "explain_invalid_status": "The credential's revocation entry is malformed, so whether "
                                  "the issuer withdrew it cannot be known.",
        "explain_invalid_endorsements": "The credential itself is intact, but an endorsement it "
                                        "carries did not verify (see Endorsements below). Do not "
                                        "rely on that endorsement, nor on this credential as "
                                        "endorsed.",
        "explain_unconfirmed_proof": "The issuer's key could not be reached, so the signature "
                                     "could not be checked. The credential is not confirmed; "
                                     "try again later.",
        "explain_unconfirmed_key_binding": "The signature matches, but the issuer's published "
                                           "keys could not be reached to confirm the key is "
                                           "theirs. The credential is not confirmed; try again "
                                           "later.",
        "explain_unconfirmed_status": "Whether the issuer has revoked or suspended the "
                                      "credential could not be checked (its revocation list "
                                      "could not be read or trusted, or uses a method this "
                                      "verifier does not support). It is not confirmed.",
        "explain_unconfirmed_endorsements": "The credential itself checks out, but an "
                                            "endorsement it carries could not be fully checked "
                                            "(see Endorsements below). It is not confirmed.",
        "explain_invalid": "The credential is readable but does not meet the Open Badges 3.0 "
                           "rules; see the failed check below.",
        "explain_unreadable": "The input is not a credential this verifier can read.",
        "outcome_passed": "Passed",
        "outcome_failed": "Failed",
        "outcome_warning": "Warning",
        "outcome_indeterminate": "Could not be checked",
        "outcome_skipped": "Not checked",
        "outcome_expired": "Expired",
        "check_format": "Readable credential",
        "check_schema": "Complete record",
        "check_context": "Standard vocabulary",
        "check_proof": "Intact (digital signature)",
        "check_key_binding": "Signed by the issuer",
        "check_validity_period": "Dates",
        "check_status": "Not revoked or suspended",
        "check_issuer_trust": "Known issuer",
        "check_endorsements": "Endorsements",
        "check_recipient": "Awarded to the person you named",
        "recipient_label": "Recipient's e-mail address (optional, Open Badges 2.0)",
        "recipient_help": "An Open Badges 2.0 badge names its recipient only as a protected "
                          "(hashed) e-mail address: type the applicant's address to check "
                          "that the badge is theirs.",
        "ob2_title": "Open Badges 2.0",
        "ob2_hosted_what": "This is an Open Badges 2.0 badge of the hosted kind, the kind most "
                           "badge platforms (Credly, Badgr/Canvas Credentials, Open Badge "
                           "Factory) issue.",
        "ob2_signed_what": "This is an Open Badges 2.0 badge of the signed kind.",
        "ob2_hosted_checked": "What was checked: the issuer's server publishes this badge at "
                              "its own address right now and says the same as the copy you "
                              "have; the badge's description and its issuer's profile are "
                              "where the badge says; the issuer allows badges at that address; "
                              "the dates; whether the issuer revoked it; and whether the issuer "
                              "is on your lists of known issuers.",
        "ob2_signed_checked": "What was checked: the digital signature, with the key the "
                              "issuer's profile publishes; the badge's description and its "
                              "issuer's profile are where the badge says; the dates; the "
                              "issuer's revocation list; and whether the issuer is on your "
                              "lists of known issuers.",
        "ob2_hosted_limits": "What Open Badges 2.0 cannot prove: a hosted badge has no digital "
                             "signature. It is genuine because the issuer's server vouches for "
                             "it right now; if that server is changed, taken over or shut "
                             "down, this check changes with it, and nothing proves what the "
                             "badge said before. The issuer is known only by its web address.",
        "ob2_signed_limits": "What Open Badges 2.0 cannot prove: the key is trusted because the "
                             "issuer's web profile names it today; there is no independent "
                             "identity (such as a DID) behind the issuer, only its web "
                             "address.",
        "ob2_recipient_unchecked": "The badge's recipient was not compared with anyone: give "
                                   "the applicant's e-mail address to check it is theirs.",
        "verdict_unknown_issuer_ob2_hosted": "Published by its issuer, but the issuer is not on "
                                             "your list",
        "explain_verified_ob2_hosted": "Every check passed. The issuer's server publishes this "
                                       "badge as shown, where the issuer allows, and has not "
                                       "revoked it.",
        "explain_verified_unknown_ob2_hosted": "The issuer's server publishes this badge as "
                                               "shown, but its issuer is not on this "
                                               "verifier's list of known issuers: check who "
                                               "the issuer is before relying on it.",
        "explain_unknown_issuer_ob2_hosted": "The issuer's server (shown below) publishes this "
                                             "badge as shown. But none of this verifier's lists "
                                             "of known issuers names that issuer, so this "
                                             "verifier cannot tell you it is the organization "
                                             "it claims to be. Check with that organization "
                                             "before relying on it.",
        "explain_forged_ob2_hosted": "The badge does not match what its issuer publishes, or it "
                                     "is published somewhere its issuer does not allow: someone "
                                     "other than the issuer made or changed it.",
        "explain_expired_ob2_hosted": "The issuer's server still publishes this badge as shown, "
                                      "but its validity period has ended, so it records a past "
                                      "achievement rather than a current one.",
        # --- i16d ---
        "busy_large": "This verifier is busy with other very large credentials. Please try "
                      "this one again in {seconds} seconds.",
    },
    "es": {
        "skip": "Saltar al contenido",
        "site": "Verificador de insignias",
        "title": "Verificar una insignia",
        "intro": "Verifique una credencial Open Badges 3.0 o una insignia Open Badges 2.0: "
                 "quién la emitió, a quién, por qué, y si está íntegra, vigente y no "
                 "retirada. No se guarda nada de lo que verifique.",
        "paste_label": "Pegue una credencial, un JWT o un enlace",
        "paste_help": "El JSON de la credencial, el texto de su JWT o el enlace de la página "
                      "para compartir de la insignia.",
        "file_label": "O suba un archivo",
        "file_help": "Archivo JSON o .jwt, imagen de la insignia (PNG o SVG) o certificado PDF.",
        "qr_label": "O una foto del código QR de un certificado impreso",
        "qr_help": "Una imagen PNG o JPEG en la que el código QR se vea con claridad.",
        "who_label": "Su nombre y escuela (opcional)",
        "who_help": "Aparece en el comprobante de verificación que puede descargar.",
        "submit": "Verificar la insignia",
        "nothing": "Pegue una credencial o un enlace, o elija un archivo, y vuelva a intentarlo.",
        "rate_limited": "Demasiadas verificaciones desde su dirección en poco tiempo. Vuelva a "
                        "intentarlo dentro de {seconds} segundos.",
        "not_a_link": "La dirección que se comprueba debe ser un enlace http(s) a una insignia.",
        "language": "Idioma",
        "api_link": "API JSON (descripción OpenAPI)",
        "result_title": "Resultado de la verificación",
        "achievement": "Logro",
        "criteria": "Criterios",
        "criteria_link": "Página de criterios",
        "aligned_to": "Alineada con estos estándares",
        "earned_by": "Obtenida por",
        "hashed_recipient": "identificada solo por una dirección de correo protegida",
        "issued_by": "Emitida por",
        "issuer_id": "Identificador del emisor",
        "known": "Emisor conocido",
        "unknown": "No figura en la lista de emisores conocidos de este verificador",
        "no_registry": "No hay una lista de emisores conocidos configurada",
        "impersonation": "Usa el nombre de un emisor conocido con otra identidad",
        "issued_on": "Emitida el",
        "expires_on": "Válida hasta",
        "expired_on": "Venció el",
        "no_expiry": "No vence",
        "status_as_of": "Estado de revocación a fecha de",
        "withdrawn_on_revoked": "Revocada el {date}.",
        "withdrawn_on_suspended": "Suspendida desde el {date}.",
        "reason_given": "Motivo indicado por el emisor",
        "credential_id": "Identificador de la credencial",
        "checked_at": "Verificada el",
        "source": "Recibida como",
        "checks": "Qué se comprobó",
        "technical": "Detalle técnico",
        "code": "Código",
        "credential_json": "La credencial tal como se recibió",
        "receipt_title": "Comprobante de verificación",
        "receipt_text": "Descargue un registro firmado de esta verificación (qué se comprobó, "
                        "cuándo y con qué resultado) para guardarlo en el expediente de "
                        "contratación. Se puede comprobar más adelante con cualquier "
                        "verificador de Open Badges.",
        "receipt_button": "Descargar el comprobante",
        "share_revoked": "Revocada",
        "share_suspended": "Suspendida",
        "share_expired": "Vencida",
        "share_og_title": "{achievement}, obtenida por {name}",
        "endorsements_title": "Avales",
        "endorsed_by": "Avalado por {endorser}",
        "endorsement_not_verified": "Un aval a nombre de {endorser} no se pudo verificar, así "
                                    "que no se muestra como aval.",
        "endorsement_verified_note": "Cada aval se verificó: está firmado con la clave del "
                                     "avalista, vigente y no retirado.",
        "endorsement_unlisted": "Un aval firmado por {endorser}, que no figura en las listas "
                                "de emisores conocidos de este verificador, no se muestra como "
                                "aval.",
        "share_og_issued": "Emitida por {org}",
        "share_og_revoked": "{org} revocó esta insignia el {date}.",
        "share_og_suspended": "{org} suspendió esta insignia el {date}.",
        "share_earned_by": "Obtenida por",
        "share_issued_by": "Emitida por",
        "share_issued_on": "el {date}",
        "share_valid_until": "válida hasta el {date}",
        "share_revoked_text": "{org} revocó esta credencial el {date}.",
        "share_reason": "Motivo indicado: {reason}",
        "share_suspended_text": "{org} suspendió esta credencial el {date} mientras la revisa.",
        "share_expired_text": "Esta credencial era válida hasta el {date}. Sigue siendo un "
                              "registro auténtico del logro.",
        "share_active": "Estado actual: vigente.",
        "share_active_text": "{org} no la ha revocado ni suspendido (a fecha de {when} UTC)",
        "share_evidence": "Evidencias que compartió {name}",
        "share_evidence_item": "Evidencia",
        "share_about": "Sobre esta microcredencial",
        "share_criteria": "Criterios y rúbrica",
        "share_aligned": "Alineada con:",
        "share_check": "Comprobarla",
        "share_share": "Compartirla, descargarla o comprobarla",
        "share_verify": "Verificar esta insignia ahora",
        "share_link": "Enlace a esta insignia",
        "share_copy": "Copiar el enlace",
        "share_copied": "Enlace copiado.",
        "share_copy_failed": "Seleccione el enlace y cópielo.",
        "share_copy_help": "Seleccione el enlace para copiarlo o use el botón.",
        "share_json": "Credencial (JSON)",
        "share_jwt": "Credencial (JWT)",
        "share_withheld_revoked": "No se ofrece certificado ni imagen para una insignia "
                                  "revocada: son copias imprimibles de una insignia válida. El "
                                  "archivo de la credencial y \"Verificar\" muestran su "
                                  "estado actual.",
        "share_withheld_suspended": "No se ofrece certificado ni imagen para una insignia "
                                    "suspendida: son copias imprimibles de una insignia "
                                    "válida. El archivo de la credencial y \"Verificar\" "
                                    "muestran su estado actual.",
        "share_pdf": "Certificado (PDF)",
        "share_pdf_a4": "Certificado (A4)",
        "share_png": "Imagen de la insignia (PNG)",
        "share_svg": "Imagen de la insignia (SVG)",
        "share_explain": "\"Verificar\" comprueba la firma, las claves del emisor, las fechas "
                         "y el estado de revocación, y dice qué encontró. El certificado (carta "
                         "o A4) y las imágenes de la insignia llevan dentro la credencial "
                         "firmada: cualquier verificador de Open Badges 3.0 puede comprobarlas.",
        "receipt_print_button": "Abrir un comprobante para imprimir",
        "receipt_print_help": "Use la orden Imprimir de su navegador para imprimir esta página "
                              "o guardarla como PDF para el expediente de contratación.",
        "receipt_checked": "Verificada el {date} a las {time} UTC",
        "receipt_checked_by": "Verificada el {date} a las {time} UTC por {who}",
        "receipt_checked_with": "con {verifier}",
        "receipt_signed_ok": "Este comprobante lleva la firma de {verifier} y no se cambió "
                             "nada después de firmarlo.",
        "receipt_signed_other": "Este comprobante lo firmó otro verificador ({verifier}); su "
                                "firma está intacta.",
        "receipt_signed_bad": "La firma de este comprobante no coincide con su contenido: se "
                              "cambió después de firmarlo. No confíe en él.",
        "receipt_claims": "Lo que dice el comprobante (sin verificar)",
        "receipt_not_a_receipt": "Esto no es un comprobante de verificación. Suba el archivo "
                                 "del comprobante (JSON) descargado de un resultado de "
                                 "verificación.",
        "receipt_result": "Resultado",
        "receipt_too_large": "Este archivo es demasiado grande para ser un comprobante de "
                             "verificación.",
        "receipt_fingerprint": "Huella de lo que se comprobó (SHA-256)",
        "receipt_id": "Identificador del comprobante",
        "receipt_open_title": "Abrir un comprobante de verificación",
        "receipt_open_help": "Suba un archivo de comprobante (JSON) para comprobar su firma e "
                             "imprimirlo.",
        "receipt_file": "Archivo del comprobante",
        "receipt_open_button": "Abrir el comprobante",
        "again": "Verificar otra insignia",
        "unnamed": "(sin nombre)",
        "image_alt": "Imagen de la insignia {name}",
        "source_paste": "Texto pegado",
        "source_upload": "Archivo subido",
        "source_url": "Enlace",
        "source_qr": "Código QR",
        "source_api": "Solicitud a la API",
        "verdict_verified": "Verificada: esta credencial es auténtica y está vigente",
        "verdict_expired": "Un registro auténtico que ha vencido",
        "verdict_revoked": "Revocada por el emisor",
        "verdict_suspended": "Suspendida por el emisor",
        "verdict_unconfirmed": "No se pudo verificar por completo",
        "verdict_forged": "No es auténtica: no confíe en esta credencial",
        "verdict_invalid": "No verificada: esta credencial no supera todas las comprobaciones",
        "verdict_impersonation": "Suplantación: no confíe en esta credencial",
        "verdict_unreadable": "No se pudo leer ninguna credencial",
        "explain_verified": "Todas las comprobaciones fueron correctas. El emisor la firmó con "
                            "una clave que publica, no se modificó después de firmarla y no ha "
                            "sido retirada.",
        "explain_verified_unknown": "La credencial es auténtica y está vigente, pero su emisor "
                                    "no figura en la lista de emisores conocidos de este "
                                    "verificador: compruebe quién es el emisor antes de "
                                    "confiar en ella.",
        "verdict_unknown_issuer": "Firma auténtica, pero el emisor no figura en su lista",
        "explain_unknown_issuer": "La credencial la firmó la identidad que se indica abajo y no "
                                  "se ha modificado desde entonces. Pero ninguna de las listas "
                                  "de emisores conocidos de este verificador incluye esa "
                                  "identidad, así que no puede asegurarle que sea la "
                                  "organización que dice ser. Consulte con esa organización "
                                  "antes de confiar en ella.",
        "signed_by": "Firmada en realidad por",
        "vouched_by": "Figura como emisor conocido en la lista de {registry}",
        "own_issuers": "este servicio de insignias ({host}), que aloja al emisor",
        "explain_expired": "La credencial es auténtica: se emitió tal como se muestra y no ha "
                           "sido alterada. Su periodo de validez terminó, así que registra un "
                           "logro pasado y no uno vigente.",
        "explain_revoked": "El emisor ha retirado esta credencial. Ya no es válida.",
        "explain_suspended": "El emisor ha suspendido esta credencial por ahora. Consulte con "
                             "la persona titular o con el emisor antes de confiar en ella.",
        "explain_unconfirmed": "Algunas comprobaciones no se pudieron completar (por ejemplo, "
                               "no se pudo consultar la lista de revocación del emisor). La "
                               "credencial no está confirmada; inténtelo más tarde.",
        "explain_forged": "La credencial se modificó después de firmarse, no la firmó el emisor "
                          "que indica, usa el nombre de un emisor conocido, o la página de un "
                          "certificado no coincide con la credencial adjunta.",
        "explain_forged_proof": "La credencial se modificó después de firmarse: su firma "
                                "digital no coincide con lo que dice ahora.",
        "explain_forged_key_binding": "La credencial se firmó con una clave que el emisor que "
                                      "indica no publica: la firmó otra persona u organización.",
        "explain_forged_format": "La página del certificado y la credencial adjunta no "
                                 "coinciden: se sustituyó la página o el archivo adjunto.",
        "explain_impersonation": "Atención: la credencial dice venir de una organización de la "
                                 "lista de emisores conocidos de este verificador, pero la "
                                 "firmó otra identidad (indicada abajo), no esa organización. "
                                 "No procede de esa organización: no confíe en ella.",
        "explain_invalid_validity_period": "Las fechas de la credencial no permiten aceptarla: "
                                           "todavía no es válida o no indica cuándo se emitió.",
        "explain_invalid_status": "La entrada de revocación de la credencial está mal formada, "
                                  "así que no se puede saber si el emisor la retiró.",
        "explain_invalid_endorsements": "La credencial en sí está íntegra, pero un aval que "
                                        "incluye no superó la verificación (vea Avales más "
                                        "abajo). No confíe en ese aval ni en esta credencial "
                                        "como avalada.",
        "explain_unconfirmed_proof": "No se pudo consultar la clave del emisor, así que no se "
                                     "pudo comprobar la firma. La credencial no está "
                                     "confirmada; inténtelo más tarde.",
        "explain_unconfirmed_key_binding": "La firma coincide, pero no se pudieron consultar las "
                                           "claves publicadas por el emisor para confirmar que "
                                           "la clave es suya. La credencial no está confirmada; "
                                           "inténtelo más tarde.",
        "explain_unconfirmed_status": "No se pudo comprobar si el emisor revocó o suspendió la "
                                      "credencial (no se pudo leer o no es fiable su lista de "
                                      "revocación, o usa un método que este verificador no "
                                      "admite). No está confirmada.",
        "explain_unconfirmed_endorsements": "La credencial en sí es correcta, pero un aval que "
                                            "incluye no se pudo comprobar por completo (vea "
                                            "Avales más abajo). No está confirmada.",
        "explain_invalid": "La credencial se puede leer, pero no cumple las reglas de Open "
                           "Badges 3.0; vea la comprobación fallida más abajo.",
        "explain_unreadable": "Lo recibido no es una credencial que este verificador pueda "
                              "leer.",
        "outcome_passed": "Correcto",
        "outcome_failed": "Falló",
        "outcome_warning": "Advertencia",
        "outcome_indeterminate": "No se pudo comprobar",
        "outcome_skipped": "No comprobado",
        "outcome_expired": "Vencida",
        "check_format": "Credencial legible",
        "check_schema": "Registro completo",
        "check_context": "Vocabulario estándar",
        "check_proof": "Íntegra (firma digital)",
        "check_key_binding": "Firmada por el emisor",
        "check_validity_period": "Fechas",
        "check_status": "No revocada ni suspendida",
        "check_issuer_trust": "Emisor conocido",
        "check_endorsements": "Avales",
        "check_recipient": "Otorgada a la persona indicada",
        "recipient_label": "Correo electrónico de quien la recibió (opcional, Open Badges 2.0)",
        "recipient_help": "Una insignia Open Badges 2.0 identifica a quien la recibió solo con "
                          "un correo electrónico protegido (cifrado con hash): escriba el "
                          "correo del candidato para comprobar que la insignia es suya.",
        "ob2_title": "Open Badges 2.0",
        "ob2_hosted_what": "Es una insignia Open Badges 2.0 de tipo alojado, el tipo que emiten "
                           "la mayoría de las plataformas de insignias (Credly, Badgr/Canvas "
                           "Credentials, Open Badge Factory).",
        "ob2_signed_what": "Es una insignia Open Badges 2.0 de tipo firmado.",
        "ob2_hosted_checked": "Qué se comprobó: el servidor del emisor publica ahora mismo esta "
                              "insignia en su propia dirección y dice lo mismo que la copia que "
                              "usted tiene; la descripción de la insignia y el perfil del "
                              "emisor están donde la insignia indica; el emisor admite "
                              "insignias en esa dirección; las fechas; si el emisor la revocó; "
                              "y si el emisor figura en sus listas de emisores conocidos.",
        "ob2_signed_checked": "Qué se comprobó: la firma digital, con la clave que publica el "
                              "perfil del emisor; la descripción de la insignia y el perfil del "
                              "emisor están donde la insignia indica; las fechas; la lista de "
                              "revocación del emisor; y si el emisor figura en sus listas de "
                              "emisores conocidos.",
        "ob2_hosted_limits": "Lo que Open Badges 2.0 no puede demostrar: una insignia alojada no "
                             "tiene firma digital. Es auténtica porque el servidor del emisor "
                             "la respalda ahora mismo; si ese servidor cambia, lo toma otra "
                             "persona o se apaga, esta comprobación cambia con él, y nada "
                             "demuestra lo que la insignia decía antes. Al emisor solo se le "
                             "conoce por su dirección web.",
        "ob2_signed_limits": "Lo que Open Badges 2.0 no puede demostrar: la clave se considera "
                             "del emisor porque su perfil web la nombra hoy; no hay una "
                             "identidad independiente (como un DID) detrás del emisor, solo su "
                             "dirección web.",
        "ob2_recipient_unchecked": "No se comparó a quién se otorgó la insignia: indique el "
                                   "correo del candidato para comprobar que es suya.",
        "verdict_unknown_issuer_ob2_hosted": "Publicada por su emisor, pero el emisor no figura "
                                             "en su lista",
        "explain_verified_ob2_hosted": "Todas las comprobaciones fueron correctas. El servidor "
                                       "del emisor publica esta insignia tal como se muestra, "
                                       "donde el emisor lo admite, y no la ha revocado.",
        "explain_verified_unknown_ob2_hosted": "El servidor del emisor publica esta insignia "
                                               "tal como se muestra, pero su emisor no figura "
                                               "en la lista de emisores conocidos de este "
                                               "verificador: compruebe quién es antes de "
                                               "confiar en ella.",
        "explain_unknown_issuer_ob2_hosted": "El servidor del emisor (indicado abajo) publica "
                                             "esta insignia tal como se muestra. Pero ninguna "
                                             "lista de emisores conocidos de este verificador "
                                             "nombra a ese emisor, así que no puede decirle que "
                                             "sea la organización que dice ser. Consulte con esa "
                                             "organización antes de confiar en ella.",
        "explain_forged_ob2_hosted": "La insignia no coincide con lo que publica su emisor, o "
                                     "está publicada donde su emisor no lo admite: la hizo o la "
                                     "cambió alguien que no es el emisor.",
        "explain_expired_ob2_hosted": "El servidor del emisor aún publica esta insignia tal como "
                                      "se muestra, pero su periodo de validez terminó, así que "
                                      "registra un logro pasado y no uno vigente.",
        # --- i16d ---
        "busy_large": "Este verificador está ocupado con otras credenciales muy grandes. Vuelva "
                      "a intentarlo con esta dentro de {seconds} segundos.",
    },
}

#: Spanish sentences per check code (or ``check:code`` where a code reads differently
#: in one check). ``{from}``/``{until}`` are dates, ``{name}`` a name.
_ES_CODES: dict[str, str] = {
    # format
    "json": "Se leyó una credencial Open Badges 3.0 en formato JSON.",
    "jwt": "Se leyó una credencial Open Badges 3.0 en formato VC-JWT.",
    "png": "Se leyó una credencial Open Badges 3.0 de una imagen PNG de insignia.",
    "svg": "Se leyó una credencial Open Badges 3.0 de una imagen SVG de insignia.",
    "pdf": "Se leyó una credencial Open Badges 3.0 adjunta a un certificado PDF.",
    "not_open_badge": "No es una credencial Open Badges 3.0 (su tipo debe incluir "
                      "VerifiableCredential y OpenBadgeCredential).",
    "not_endorsement": "Este aval no es un aval Open Badges 3.0 (su tipo debe incluir "
                       "VerifiableCredential y EndorsementCredential).",
    "not_a_credential": "Lo recibido es JSON, pero no es una credencial.",
    "unsupported_image": "La imagen no es PNG ni SVG: solo se pueden leer insignias PNG y SVG.",
    "invalid_json": "El texto no es JSON válido.",
    "input_too_large": "El archivo o texto es demasiado grande para verificarlo.",
    "json_too_deep": "El JSON está anidado a demasiada profundidad.",
    "unreadable_input": "No se pudo leer como credencial (ni JSON, ni JWT, ni imagen de "
                        "insignia).",
    "malformed_jwt": "El texto parece un JWT, pero está mal formado.",
    "malformed_image": "La imagen está dañada o mal formada.",
    "not_baked": "La imagen no contiene ninguna credencial.",
    # Open Badges 2.0 (badges.ob2)
    "ob2_json": "Se leyó una insignia Open Badges 2.0 en formato JSON.",
    "ob2_jws": "Se leyó una insignia Open Badges 2.0 firmada (JWS).",
    "ob2_png": "Se leyó una insignia Open Badges 2.0 de una imagen PNG de insignia.",
    "ob2_svg": "Se leyó una insignia Open Badges 2.0 de una imagen SVG de insignia.",
    "ob2_baked_unreadable": "La imagen es una insignia Open Badges 2.0, pero lo que contiene no "
                            "es una aserción, ni una aserción firmada, ni un enlace a una.",
    "ob2_assertion_valid": "La aserción tiene todas las propiedades que exige Open Badges 2.0.",
    "ob2_assertion_invalid": "La aserción Open Badges 2.0 está incompleta.",
    "ob2_hosted_not_read": "No se comprobó, porque no se pudo leer la aserción alojada.",
    "ob2_context_valid": "La aserción usa el vocabulario de Open Badges 2.0.",
    "ob2_context_invalid": "El @context de la aserción no es el de Open Badges 2.0.",
    "ob2_hosted_confirmed": "El servidor del emisor publica ahora mismo esta insignia en su "
                            "propia dirección. Una insignia Open Badges 2.0 alojada no tiene "
                            "firma digital: es auténtica mientras ese servidor lo diga.",
    "ob2_signature_valid": "La insignia está íntegra: su firma digital coincide con su "
                           "contenido.",
    "ob2_verification_invalid": "La aserción no indica cómo verificarla (alojada o firmada) de "
                                "forma válida.",
    "ob2_hosted_id_mismatch": "La dirección que indica la insignia no publica esta insignia: "
                              "el documento que hay allí tiene otro identificador.",
    "ob2_hosted_mismatch": "Esta copia de la insignia no coincide con la que publica el "
                           "servidor del emisor: fue modificada.",
    "ob2_signature_missing": "La aserción dice ser una insignia firmada, pero llegó sin su "
                             "firma (el JWS): entregue la insignia firmada.",
    "ob2_jws_malformed": "La insignia firmada (JWS) está mal formada.",
    "ob2_key_invalid": "No se pudo leer la clave del emisor con la que se firmó la insignia.",
    "ob2_signature_invalid": "La firma digital no coincide con la insignia: se modificó después "
                             "de firmarla o se firmó con otra clave.",
    "ob2_hosted_unchecked_offline": "Una insignia alojada se confirma preguntando al servidor "
                                    "del emisor, y esta comprobación sin conexión no puede "
                                    "hacerlo.",
    "ob2_hosted_unreachable": "No se pudo preguntar al servidor del emisor por esta insignia.",
    "ob2_key_unreachable": "No se pudo leer la clave del emisor.",
    "ob2_issuer_confirmed": "La insignia está publicada donde su emisor lo admite, y la "
                            "descripción de la insignia y el perfil del emisor están en sus "
                            "propias direcciones.",
    "ob2_key_owned": "La clave de firma pertenece al emisor, y la descripción de la insignia y "
                     "el perfil del emisor están en sus propias direcciones.",
    "ob2_badge_mismatch": "La descripción de la insignia (BadgeClass) no está en la dirección "
                          "que indica la insignia.",
    "ob2_issuer_mismatch": "El perfil del emisor no está en la dirección que indica la "
                           "descripción de la insignia.",
    "ob2_hosted_origin_mismatch": "La insignia está publicada en una dirección que su emisor no "
                                  "admite: la publicó alguien que no es el emisor.",
    "ob2_key_not_issuers": "La insignia se firmó con una clave que no pertenece al emisor que "
                           "indica.",
    "ob2_badge_unreachable": "No se pudo leer la descripción de la insignia (BadgeClass).",
    "ob2_issuer_unreachable": "No se pudo leer el perfil del emisor.",
    "ob2_not_revoked": "El emisor no ha revocado esta insignia.",
    "ob2_revoked": "El emisor ha revocado esta insignia.{status_why}",
    "ob2_revocation_list_unreachable": "No se pudo leer la lista de revocación del emisor.",
    "ob2_revocation_list_invalid": "La lista de revocación del emisor está mal formada, así que "
                                   "no se puede saber si revocó la insignia.",
    "ob2_endorsements_unchecked": "No se comprueban los avales de las insignias Open Badges "
                                  "2.0.",
    "ob2_recipient_match": "La insignia se otorgó a la persona que usted indicó.",
    "ob2_recipient_mismatch": "La insignia no se otorgó a la persona que usted indicó (nombra "
                              "a otra persona).",
    "ob2_recipient_unreadable": "No se puede leer a quién se otorgó la insignia.",
    "issuer_trust:unknown_issuer:ob2_hosted": "El servidor del emisor respalda esta insignia, "
                                              "pero el emisor, {signer}, no figura en las "
                                              "listas de emisores conocidos de este "
                                              "verificador. Compruebe que es la organización "
                                              "que dice ser.",
    "ob2_baked_badge": "Es una insignia Open Badges 2.0; este verificador comprueba Open "
                       "Badges 3.0.",
    "image_too_large": "La imagen es demasiado grande: se rechazó sin descomprimirla.",
    "image_too_complex": "La imagen tiene demasiados fragmentos o elementos: se rechazó sin "
                         "leerla entera.",
    "unsafe_image": "La imagen contiene construcciones inseguras y no se leyó.",
    "image_unreadable": "No se pudo leer la imagen (PNG, JPEG, GIF, BMP o WebP).",
    "no_qr_code": "No se encontró ningún código QR en la imagen.",
    "no_credential_in_image": "La imagen no contiene ni una credencial ni un código QR.",
    "qr_not_credential": "El código QR no contiene ni un enlace ni una credencial.",
    "link_not_credential": "El enlace lleva a una página que no indica ninguna credencial.",
    "address_not_allowed": "El enlace apunta a una dirección privada o reservada; no se "
                           "consultó.",
    "scheme_not_allowed": "Solo se consultan enlaces HTTPS.",
    "fetch_failed": "No se pudo descargar el enlace.",
    "fetch_timeout": "El servidor tardó demasiado en responder; se cortó la descarga.",
    "fetch_budget_exceeded": "La verificación ya hizo todas las consultas a la red que se "
                             "permiten para una credencial; no se consultó más.",
    "offline": "Sin conexión no se siguen enlaces.",
    "unsupported_pdf": "No se pudo leer la credencial del PDF.",
    "empty": "No se recibió nada que verificar.",
    "credential_not_json": "La credencial no es un objeto JSON.",
    "input_too_complex": "La credencial es demasiado compleja para comprobarla.",
    "invalid_unicode": "La credencial contiene texto que no es Unicode válido.",
    "jwt_claim_missing": "Al JWT le falta un dato obligatorio de la credencial.",
    "jwt_form_mismatch": "El JWT no tiene la forma de una credencial VC-JWT.",
    "not_a_receipt": "Lo recibido no es un recibo de verificación.",
    "other_verifier": "El recibo lo firmó otro verificador; aquí solo se comprueban los "
                      "recibos propios.",
    "unreadable_pdf": "El PDF está dañado o no es un PDF; no se pudo leer.",
    "encrypted_pdf": "El PDF está cifrado; los PDF cifrados no se leen.",
    "no_credential_in_pdf": "El PDF no lleva ninguna credencial adjunta (un certificado "
                            "verificable lleva la credencial firmada como archivo incrustado).",
    "several_credentials_in_pdf": "El PDF lleva varias credenciales adjuntas; un certificado "
                                  "lleva solo la credencial que certifica.",
    "certificate_mismatch": "La credencial adjunta al PDF no es la que muestra la página del "
                            "certificado: se cambió la página o el archivo adjunto.",
    "jwt_vc_claim": "Se leyó la credencial de un VC-JWT, pero de su campo «vc»: Open Badges "
                    "3.0 pone una credencial VC Data Model 2.0 en todo el contenido del JWT. "
                    "Se acepta, como hace el validador de 1EdTech.",
    # schema
    "schema_valid": "La credencial tiene todos los campos que exige Open Badges 3.0.",
    "schema_invalid": "La credencial no tiene la estructura que exige Open Badges 3.0.",
    "schema_compacted_form": "La credencial es válida, pero da algunas listas como valores "
                             "sueltos; algunas billeteras podrían no leerla.",
    # context
    "context_valid": "Todos los términos de la credencial están definidos por los contextos "
                     "estándar.",
    "context_missing": "La credencial no tiene @context.",
    "context_order": "Los contextos de la credencial no están en el orden que exige el "
                     "estándar.",
    "context_not_allowed": "La credencial usa un contexto que este verificador no conoce; los "
                           "contextos nunca se descargan de la red.",
    "undefined_term": "La credencial usa términos que sus contextos no definen; la firma no "
                      "los cubriría.",
    "undefined_type": "La credencial usa tipos que sus contextos no definen.",
    "invalid_jsonld": "La credencial no es JSON-LD válido.",
    "too_deep": "La credencial está anidada a demasiada profundidad.",
    "too_large": "La credencial es demasiado grande para procesarla (demasiados valores).",
    "context_outdated": "La credencial usa una versión anterior de los contextos; se puede "
                        "leer igualmente.",
    # proof
    "signature_valid": "La credencial está íntegra: su firma digital coincide con su "
                       "contenido.",
    "signature_invalid": "La firma digital no coincide con el contenido: la credencial se "
                         "modificó después de firmarse, o se firmó con otra clave.",
    "content_not_signed": "Parte de la credencial no está cubierta por su firma (usa "
                          "términos que sus contextos no definen), así que pudo cambiarse "
                          "después de firmarse.",
    "no_proof": "La credencial no está firmada (no tiene prueba).",
    "unsupported_cryptosuite": "La credencial usa un tipo de firma que este verificador no "
                               "admite.",
    "alg_not_allowed": "El JWT usa un algoritmo de firma no permitido.",
    "verification_method_invalid": "La firma no indica una clave válida.",
    "unsupported_did_method": "La clave se identifica con un método DID no admitido (se "
                              "admiten did:key, did:jwk y did:web).",
    "key_unresolved_offline": "La clave del emisor se debe consultar en la red y esta "
                              "verificación es sin conexión.",
    "key_not_in_controller_document": "El documento del emisor no contiene la clave de la "
                                      "firma.",
    "jwt_key_missing": "El JWT no indica con qué clave se firmó.",
    "jwt_claim_mismatch": "Los datos del JWT no coinciden con la credencial.",
    "response_too_large": "El documento del emisor es demasiado grande.",
    "not_json": "El documento del emisor no es JSON.",
    "proof_invalid": "La prueba de la credencial está mal formada.",
    "proof_value_invalid": "El valor de la firma está mal formado.",
    "proof_purpose_invalid": "La firma no se hizo para afirmar una credencial "
                             "(proofPurpose debe ser assertionMethod).",
    "key_type_mismatch": "La clave no es del tipo que exige la firma.",
    "key_invalid": "La clave publicada no es una clave pública válida.",
    "unsupported_key_type": "La clave es de un tipo que este verificador no admite.",
    "weak_key": "La clave es demasiado débil (RSA de menos de 2048 bits).",
    "private_key_exposed": "La clave publicada incluye su parte privada; no se confía en ella.",
    "jwt_header_not_allowed": "La cabecera del JWT contiene un campo no permitido.",
    "jwt_typ_invalid": "El tipo declarado en la cabecera del JWT no es válido.",
    "invalid_did_key": "El identificador did:key de la clave no es válido.",
    "invalid_did_jwk": "El identificador did:jwk de la clave no es válido.",
    "invalid_did_web": "El identificador did:web del emisor no es válido.",
    "invalid_multibase": "La clave o la firma no está codificada correctamente (multibase).",
    "invalid_key": "La clave no es válida.",
    "key_unresolved": "No se pudo obtener la clave del emisor.",
    "canonicalization_limit": "La credencial exige demasiado cálculo para comprobar su firma "
                              "(posible ataque); no se comprobó.",
    "proof:fetch_failed": "No se pudo obtener la clave del emisor: no se pudo descargar su "
                          "documento.",
    "proof:address_not_allowed": "La clave del emisor está en una dirección privada o "
                                 "reservada; no se consultó.",
    "controller_document_invalid": "El documento del emisor con sus claves está mal formado.",
    # key binding
    "key_published": "La clave de la firma la publica el propio emisor.",
    "key_not_published": "El emisor no publica la clave con la que se firmó: la credencial no "
                         "está vinculada al emisor que indica.",
    "controller_mismatch": "La credencial se firmó con una clave que no pertenece al emisor "
                           "que indica.",
    "controller_unreachable": "No se pudieron consultar las claves publicadas por el emisor.",
    "binding_unchecked_offline": "No se pudo comprobar que la clave pertenezca al emisor "
                                 "(verificación sin conexión).",
    "issuer_missing": "La credencial no indica su emisor.",
    # validity
    "within_validity": "La credencial es válida desde el {from}{until_clause}.",
    "expired": "La credencial fue válida desde el {from} hasta el {until}; ha vencido. Sigue "
               "siendo un registro auténtico del logro.",
    "not_yet_valid": "La credencial no es válida hasta el {from}.",
    "valid_from_missing": "La credencial no indica cuándo se emitió.",
    "invalid_date": "Una fecha de la credencial no es una fecha y hora con zona horaria.",
    # status
    "no_status": "El emisor no publicó una lista de revocación para esta credencial.",
    "not_revoked": "El emisor no ha revocado esta credencial.",
    "not_suspended": "El emisor no ha suspendido esta credencial.",
    "not_withdrawn": "El emisor no ha revocado ni suspendido esta credencial.",
    "revoked": "El emisor ha revocado esta credencial{status_when}.{status_why}",
    "suspended": "El emisor ha suspendido esta credencial{status_when}.",
    "status_list_unreachable": "No se pudo comprobar si la credencial fue revocada: no se pudo "
                               "leer la lista de estado del emisor.",
    "status_list_signature_invalid": "No se puede confiar en la lista de estado del emisor: "
                                     "su firma no es válida.",
    "status_list_issuer_mismatch": "La lista de estado no la emitió el emisor de la "
                                   "credencial.",
    "status_purpose_mismatch": "La lista de estado es para otro propósito.",
    "status_list_expired": "La lista de estado del emisor ha vencido.",
    "status_list_invalid": "La lista de estado del emisor está mal formada.",
    "status_index_out_of_range": "La lista de estado es más corta que la posición de la "
                                 "credencial.",
    "status_entry_invalid": "La entrada de estado de la credencial está mal formada.",
    "status_size_invalid": "La entrada de estado usa un tamaño que este verificador no admite.",
    "status_list_too_small": "La lista de estado del emisor es más corta de lo que exige la "
                             "norma (16 KB).",
    "status_list_too_large": "La lista de estado del emisor es demasiado grande para leerla.",
    "status_unchecked_offline": "No se pudo comprobar si la credencial fue revocada (sin "
                                "conexión).",
    "unsupported_status_type": "No se pudo comprobar si la credencial fue revocada o "
                               "suspendida: usa un método de estado que este verificador no "
                               "admite.",
    "unsupported_status_purpose": "No se pudo comprobar si la credencial fue retirada: su "
                                  "propósito de estado no es uno que este verificador conozca.",
    "status_purpose_informational": "La credencial tiene una entrada de estado que no la "
                                    "revoca ni la suspende (actualización o mensajes); no se "
                                    "leyó.",
    # trust
    "known_issuer": "El emisor es conocido: {name} (figura en la lista de {registry}).",
    "unknown_issuer": "La firma es auténtica, pero quien la firmó, {signer}, no figura en las "
                      "listas de emisores conocidos de este verificador. Compruebe que es la "
                      "organización que dice ser.",
    "issuer_impersonation": "La credencial dice venir de una organización conocida, pero la "
                            "firmó {signer}, que no es la identidad conocida de esa "
                            "organización. No confíe en ella.",
    "issuer_link_unchecked": "La credencial indica la dirección web de un emisor conocido, "
                             "pero no se pudo comprobar si esa dirección avala a quien la "
                             "firmó.",
    "no_registry": "Este verificador no tiene configurada una lista de emisores conocidos.",
    # endorsements
    "no_endorsements": "La credencial no incluye avales.",
    "endorsements_valid": "Todos los avales se verificaron: cada uno está firmado por quien "
                          "avala, está vigente y no se ha retirado.",
    "endorsement_forged": "El aval a nombre de {endorser} ({endorsed_on}) no es auténtico: "
                          "{endorsement_reason}{more}",
    "endorsement_impersonation": "El aval a nombre de {endorser} ({endorsed_on}) usa el nombre "
                                 "de un emisor conocido: {endorsement_reason}{more}",
    "endorsement_subject_mismatch": "El aval a nombre de {endorser} ({endorsed_on}) se refiere "
                                    "a {endorsement_subject}, que no es esta credencial, ni su "
                                    "emisor, ni su logro.{more}",
    "endorsement_invalid": "El aval a nombre de {endorser} ({endorsed_on}) no se pudo "
                           "verificar: {endorsement_reason}{more}",
    "endorsement_revoked": "{endorser} ha revocado su aval ({endorsed_on}).{more}",
    "endorsement_suspended": "{endorser} ha suspendido su aval ({endorsed_on}).{more}",
    "endorsement_unchecked": "El aval a nombre de {endorser} ({endorsed_on}) no se pudo "
                             "comprobar por completo: {endorsement_reason}{more}",
    "endorsement_expired": "El aval de {endorser} ({endorsed_on}) era auténtico, pero su "
                           "periodo de validez terminó; ya no es válido.{more}",
    "endorsement_unknown_endorser": "El aval a nombre de {endorser} ({endorsed_on}) es "
                                    "auténtico, pero quien lo firmó no figura en las listas "
                                    "de emisores conocidos de este verificador.{more}",
    "nested_endorsements": "No se comprueban los avales de los avales.",
    # (not a code: endorsement_unchecked when there are more endorsements than are checked)
    "endorsement_overflow": "La credencial incluye más avales de los que se comprueban: "
                            "{overflow} de ellos no se pudieron comprobar.",
    # skipped after a failure
    "proof_not_verified": "No se comprobó, porque no se pudo verificar la firma.",
    "input_unreadable": "No se comprobó, porque lo recibido no es una insignia legible.",
}

#: Where an endorsement sits (:data:`badges.endorsements.PLACES`), in Spanish.
#: Issue #18: why a link could not be read, said plainly (the format check's intake codes),
#: and the heading of what an unverified credential claims. ``explain_unreadable_<code>``
#: explains the verdict; the Spanish sentences per code (:data:`_LINK_CODES`) join
#: :data:`_ES_CODES`. Kept in one block, added to the catalogues below.
_ISSUE_18_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "explain_unreadable_link_gone": "The link's owner turned it off: the server answered "
                                        "that the badge is no longer shared at this address "
                                        "(HTTP 410). This says nothing about the badge itself: "
                                        "ask the teacher for a new link or for the badge file.",
        "explain_unreadable_link_not_found": "The server answered 404: there is no badge at "
                                             "this link. Check that the whole link was copied, "
                                             "or ask the teacher for a new one.",
        "explain_unreadable_link_http_error": "The link's server answered with an error "
                                              "instead of a badge (see below). Try again later, "
                                              "or ask the teacher for the badge file.",
        "explain_unreadable_fetch_timeout": "The link timed out: its server took too long to "
                                            "answer, so the check was stopped. Try again "
                                            "later, or ask the teacher for the badge file.",
        "explain_unreadable_fetch_failed": "The link's server could not be reached (the "
                                           "address may be wrong, or the server down). Check "
                                           "the link, or ask the teacher for the badge file.",
        "explain_unreadable_address_not_allowed": "Refused by this verifier's policy: the link "
                                                  "points to a private or reserved network "
                                                  "address, which it never fetches from.",
        "explain_unreadable_scheme_not_allowed": "Refused by this verifier's policy: it follows "
                                                 "only secure (https) links.",
        "explain_unreadable_link_not_credential": "The link leads to a web page that names no "
                                                  "badge. Use the link from the badge's own "
                                                  "share page, or upload the badge file.",
        "page_not_found": "There is nothing at that address. You can check a badge here.",
        "page_server_error": "Something went wrong on our side. Please try again in a few "
                             "minutes.",
        "page_error": "That request could not be completed. You can check a badge here.",
        "claims_heading": "What this credential claims (not verified)",
        "claims_help": "Its signature did not verify, so none of this can be relied on.",
    },
    "es": {
        "explain_unreadable_link_gone": "El propietario del enlace lo desactivó: el servidor "
                                        "respondió que la insignia ya no se comparte en esta "
                                        "dirección (HTTP 410). Esto no dice nada sobre la "
                                        "insignia: pida al docente un enlace nuevo o el "
                                        "archivo de la insignia.",
        "explain_unreadable_link_not_found": "El servidor respondió 404: no hay ninguna "
                                             "insignia en este enlace. Compruebe que se copió "
                                             "completo o pida al docente uno nuevo.",
        "explain_unreadable_link_http_error": "El servidor del enlace respondió con un error en "
                                              "lugar de una insignia (vea abajo). Inténtelo más "
                                              "tarde o pida al docente el archivo de la "
                                              "insignia.",
        "explain_unreadable_fetch_timeout": "Se agotó el tiempo: el servidor del enlace tardó "
                                            "demasiado en responder y se detuvo la "
                                            "comprobación. Inténtelo más tarde o pida el "
                                            "archivo de la insignia.",
        "explain_unreadable_fetch_failed": "No se pudo contactar con el servidor del enlace "
                                           "(la dirección puede estar mal o el servidor caído). "
                                           "Revise el enlace o pida el archivo de la insignia.",
        "explain_unreadable_address_not_allowed": "Rechazado por la política de este "
                                                  "verificador: el enlace apunta a una "
                                                  "dirección de red privada o reservada, que "
                                                  "nunca consulta.",
        "explain_unreadable_scheme_not_allowed": "Rechazado por la política de este "
                                                 "verificador: solo sigue enlaces seguros "
                                                 "(https).",
        "explain_unreadable_link_not_credential": "El enlace lleva a una página web que no "
                                                  "indica ninguna insignia. Use el enlace de la "
                                                  "página de la insignia o suba su archivo.",
        "page_not_found": "No hay nada en esa dirección. Puede comprobar una insignia aquí.",
        "page_server_error": "Algo falló por nuestra parte. Vuelva a intentarlo en unos "
                             "minutos.",
        "page_error": "No se pudo completar esa solicitud. Puede comprobar una insignia aquí.",
        "claims_heading": "Lo que afirma esta credencial (sin verificar)",
        "claims_help": "Su firma no se pudo verificar, así que nada de esto es fiable.",
        # sentences per check code (see _ES_CODES)
        "link_gone": "El propietario del enlace lo desactivó (el servidor respondió HTTP 410).",
        "link_not_found": "El servidor respondió HTTP 404 (no encontrado): no hay ninguna "
                          "credencial en este enlace.",
        "link_http_error": "El servidor del enlace respondió con un error en lugar de una "
                           "credencial.",
    },
}
_LINK_CODES = ("link_gone", "link_not_found", "link_http_error")
for _lang, _texts in _ISSUE_18_TEXT.items():
    TEXT[_lang].update({k: v for k, v in _texts.items() if k not in _LINK_CODES})
_ES_CODES.update({code: _ISSUE_18_TEXT["es"][code] for code in _LINK_CODES})
# Issue #20: the codes of building a CLR (badges.clr.ClrError), in Spanish too.
_ES_CODES.update({
    "not_embeddable": "Esta credencial no se puede incluir en un registro CLR (un VC-JWT o "
                      "una credencial sin prueba integrada).",
    "no_credentials": "No hay credenciales que incluir en el registro.",
    "invalid_association": "Una asociación del registro no es válida (tipo desconocido o un "
                           "logro que no está en el registro).",
    "invalid_name": "El registro necesita un nombre.",
})
# Issue #19: the codes of checking a wallet's DIDAuth presentation (badges.didauth).
_ES_CODES.update({
    code: text for code, text in {
        "invalid_challenge": "La presentación no responde al desafío de este intercambio.",
        "invalid_domain": "La presentación está firmada para otro dominio.",
        "invalid_proof": "La prueba de la presentación no es válida.",
        "invalid_signature": "La firma de la presentación no es válida.",
        "unsupported_cryptosuite": "La presentación usa un conjunto criptográfico que este "
                                   "servicio no acepta.",
        "unsupported_did": "La presentación está firmada con un DID que este servicio no acepta "
                           "(solo did:key).",
    }.items() if code not in _ES_CODES
})


# The error pages of the district service (issuer/web/errors.py): 404, 410, 429, 500
# and withheld certificates/images; ``{seconds}`` is the wait of a 429.
_ERROR_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "error_status": "Error",
        "error_home": "Go to the home page",
        "error_verify": "Check a badge in the verifier",
        "error_details": "What the server said",
        "error_not_found_title": "Page not found",
        "error_not_found": "There is nothing at this address. The link may be mistyped, cut short "
                     "or out of date.",
        "error_not_found_next": "Check the address, or start again from the home page.",
        "error_credential_title": "This badge link does not exist",
        "error_credential": "No badge is shared at this address. The link may have been copied "
                      "only in part.",
        "error_credential_next": "Check that the whole link was copied, or ask the teacher who "
                           "earned the badge for a new link.",
        "error_link_off_title": "This badge link was turned off",
        "error_link_off": "The teacher who owns this badge turned its share link off, so it can no "
                    "longer be seen here. This does not say anything about the badge itself.",
        "error_link_off_next": "Ask the teacher for a new link, or for the badge file or PDF "
                         "certificate, which you can check in the verifier.",
        "error_rate_title": "Too many requests",
        "error_rate": "This address sent too many requests in a short time.",
        "error_rate_next": "Please wait {seconds} seconds, then try again.",
        "error_rate_next_soon": "Please wait a few minutes, then try again.",
        "error_server_title": "Something went wrong on our side",
        "error_server": "The service could not answer this request. Nothing you did caused it.",
        "error_server_next": "Try again in a few minutes. If it keeps happening, tell your "
                       "district's badge administrator.",
        "error_withheld_revoked_title": "This badge was revoked: it has no certificate",
        "error_withheld_suspended_title": "This badge is suspended: no certificate for now",
        "error_withheld": "A certificate is a printable copy of a valid badge, so none is "
                          "made for a badge its issuer withdrew.",
        "error_withheld_next": "See the badge's current status on its page or in the verifier.",
        "error_image_revoked_title": "This badge was revoked: its image is not offered",
        "error_image_suspended_title": "This badge is suspended: its image is not offered for now",
        "error_image_withheld": "A badge image carries the badge to post or print, so none is "
                          "offered for a badge its issuer withdrew.",
        "error_other_title": "This request could not be completed",
        "error_other_next": "Go back and try again, or start again from the home page.",
    },
    "es": {
        "error_status": "Error",
        "error_home": "Ir a la página principal",
        "error_verify": "Comprobar una insignia en el verificador",
        "error_details": "Lo que respondió el servidor",
        "error_not_found_title": "Página no encontrada",
        "error_not_found": "No hay nada en esta dirección. Puede que el enlace esté mal escrito, "
                     "cortado o desactualizado.",
        "error_not_found_next": "Revise la dirección o vuelva a empezar desde la página principal.",
        "error_credential_title": "Este enlace de insignia no existe",
        "error_credential": "No se comparte ninguna insignia en esta dirección. Puede que el "
                            "enlace se haya copiado solo en parte.",
        "error_credential_next": "Compruebe que se copió el enlace completo o pida al docente que "
                           "obtuvo la insignia un enlace nuevo.",
        "error_link_off_title": "Este enlace de insignia fue desactivado",
        "error_link_off": "El docente al que pertenece esta insignia desactivó su enlace para "
                    "compartir, así que ya no se puede ver aquí. Esto no dice nada sobre la "
                    "insignia en sí.",
        "error_link_off_next": "Pida al docente un enlace nuevo, o el archivo de la insignia o el "
                         "certificado en PDF, que puede comprobar en el verificador.",
        "error_rate_title": "Demasiadas solicitudes",
        "error_rate": "Esta dirección envió demasiadas solicitudes en poco tiempo.",
        "error_rate_next": "Espere {seconds} segundos y vuelva a intentarlo.",
        "error_rate_next_soon": "Espere unos minutos y vuelva a intentarlo.",
        "error_server_title": "Algo falló por nuestra parte",
        "error_server": "El servicio no pudo responder a esta solicitud. No es culpa de nada que "
                  "usted hiciera.",
        "error_server_next": "Vuelva a intentarlo en unos minutos. Si sigue ocurriendo, avise al "
                       "administrador de insignias de su distrito.",
        "error_withheld_revoked_title": "Esta insignia fue revocada: no tiene certificado",
        "error_withheld_suspended_title": "Esta insignia está suspendida: por ahora no hay "
                                    "certificado",
        "error_withheld": "Un certificado es una copia imprimible de una insignia válida, así "
                          "que no se emite para una insignia que su emisor retiró.",
        "error_withheld_next": "Consulte el estado actual de la insignia en su página o en el "
                         "verificador.",
        "error_image_revoked_title": "Esta insignia fue revocada: su imagen ya no se ofrece",
        "error_image_suspended_title": "Esta insignia está suspendida: por ahora su imagen no se "
                                 "ofrece",
        "error_image_withheld": "La imagen de una insignia la lleva consigo para publicarla o "
                          "imprimirla, así que no se ofrece para una insignia que su emisor "
                          "retiró.",
        "error_other_title": "No se pudo completar esta solicitud",
        "error_other_next": "Vuelva atrás e inténtelo de nuevo, o empiece desde la página "
                            "principal.",
    },
}
for _lang, _texts in _ERROR_TEXT.items():
    TEXT[_lang].update(_texts)


# The service's own pages (issue #18): the header, the home and achievement pages and the
# first page of each role (wallet, evidence, review queue, district dashboard), per language.
_SITE_TEXT: dict[str, dict[str, str]] = {
    "en": {
        "site_skip": "Skip to content",
        "site_check": "Check a badge",
        "site_main_nav": "Main",
        "site_account": "Account",
        "site_sign_in": "Sign in",
        "site_sign_out": "Sign out",
        "nav_catalogue": "Catalogue",
        "nav_evidence": "My evidence",
        "nav_wallet": "Wallet",
        "nav_queue": "Review queue",
        "nav_district": "District",
        "home_title": "Issuers",
        "home_heading": "Issuers on this service",
        "home_check_heading": "Checking a badge someone showed you?",
        "home_check_text": "Paste its link, upload its file or PDF certificate, or a photo of "
                           "its QR code: the verifier says who issued it, to whom, and whether "
                           "it is genuine and still valid.",
        "home_part_of": "part of {org}",
        "home_none": "No issuers yet. Run {command} to create a demo district.",
        "ach_offered_by": "Micro-credential offered by",
        "ach_archived": "This micro-credential is no longer offered. Badges already earned "
                        "remain valid and verifiable.",
        "ach_old_version": "You are reading version {version}, as it was awarded; the current "
                           "version is",
        "ach_version": "version {version}",
        "ach_version_cap": "Version {version}",
        "ach_shown": "(shown)",
        "ach_how": "How it is earned",
        "ach_evidence": "Evidence expected",
        "ach_effort": "Estimated effort: {hours} hours",
        "ach_rubric": "Rubric",
        "ach_points": "({points} points)",
        "ach_aligned": "Aligned with",
        "ach_history": "History",
        "ach_history_text": "Each badge keeps the version it was awarded with.",
        "wallet_title": "Wallet",
        "wallet_heading": "Your badges",
        "wallet_pathways": "Your pathways",
        "wallet_badges": "Your badges",
        "pw_complete": "Complete",
        "pw_earned": "You earned the capstone{name}",
        "pw_see_below": "see it below",
        "pw_final_review": "Final review",
        "pw_final_review_text": "Every step is done: a reviewer is looking at your pathway "
                                "before the capstone{name} is awarded.",
        "pw_progress": "{done} of {total} steps done",
        "pw_earns": "; completing it earns “{name}”",
        "pw_done": "Done",
        "pw_open": "Open",
        "pw_locked": "Locked",
        "pw_any_of": "any {count} of",
        "pw_unlocks_after": "(unlocks after step {steps})",
        "pw_unlocks_after_many": "(unlocks after steps {steps})",
        "pw_and": "and",
        "pw_next": "Next:",
        "pw_step": "step {number}, {title}",
        "pw_find": "Find it in the catalogue",
        "wallet_elsewhere": "From elsewhere",
        "wallet_elsewhere_intro": "Badges other issuers awarded you, stored here by a badge host "
                                  "you connected. We checked each one before keeping it.",
        "wallet_connections": "Connected apps",
        "wallet_connections_intro": "Badge hosts you allowed to reach your badges through the "
                                    "Open Badges API.",
        "wallet_allowed": "allowed {date}",
        "wallet_disconnect": "Disconnect",
        "wallet_intro": "Every badge you have earned. Each download carries the signed "
                        "credential, so any Open Badges 3.0 verifier can check it.",
        "wallet_issued": "issued {date}",
        "wallet_valid_until": "valid until {date}",
        "wallet_revoked": "Revoked",
        "wallet_suspended": "Suspended",
        "wallet_expired": "Expired",
        "wallet_still_genuine": "still a genuine record",
        "wallet_expires_in": "Expires in {days} days",
        "wallet_renew": "Renew",
        "wallet_expired_on": "This badge expired on {date}.",
        "wallet_expires_on": "This badge expires on {date}.",
        "wallet_renew_text": "Renew it by submitting fresh evidence: when a reviewer approves "
                             "it, you get a new badge that refers to this one.",
        "wallet_renewing": "Renewal in progress:",
        "wallet_continue": "continue your evidence",
        "wallet_for": "for {name}",
        "wallet_renewed": "Renewed",
        "wallet_renewed_text": "A newer badge in your wallet renews this one.",
        "wallet_renew_from": "You can renew this badge from {date}, {days} days before it "
                             "expires.",
        "wallet_download": "Download",
        "wallet_withheld_revoked": "No certificate, badge image or LinkedIn entry is offered "
                                   "for a revoked badge. The credential file still shows its "
                                   "status to any verifier.",
        "wallet_withheld_suspended": "No certificate, badge image or LinkedIn entry is offered "
                                     "for a suspended badge until the suspension is lifted. "
                                     "The credential file still shows its status to any "
                                     "verifier.",
        "wallet_png": "Badge image with credential (PNG)",
        "wallet_svg": "Badge image (SVG)",
        "wallet_pdf": "Certificate (PDF)",
        "wallet_json": "Credential (JSON)",
        "wallet_jwt": "Credential (JWT)",
        "wallet_claim": "Claim in a wallet",
        "wallet_share": "Share",
        "wallet_share_text": "Anyone with this link can see and check the badge:",
        "wallet_linkedin": "Add to LinkedIn profile",
        "wallet_new_tab": "(opens LinkedIn in a new tab)",
        "wallet_share_off": "Turn the share link off",
        "wallet_share_is_off": "The share link is off: nobody can open it. Downloads above "
                               "still work for you.",
        "wallet_share_on": "Turn the share link on",
        "wallet_none": "No badges yet.",
        "wallet_browse": "Browse micro-credentials",
        "wallet_first": "to earn your first.",
        "wallet_clr_heading": "Your learner record (CLR)",
        "wallet_clr_intro": "One file a hiring school can check in one go: a Comprehensive "
                            "Learner Record (CLR 2.0) signed by {issuer}, holding the badges "
                            "you choose, each with its own signature, and how your pathway "
                            "badges fit together.",
        "wallet_clr_choose": "Badges from {issuer} to include",
        "wallet_clr_cannot": "Revoked, suspended, expired and JWT badges cannot go in a record.",
        "wallet_clr_button": "Download my learner record (CLR)",
        "wallet_clr_none_chosen": "Choose at least one badge for your learner record.",
        "wallet_clr_file": "Learner record from {issuer}",
        "subs_title": "My evidence",
        "subs_table": "Your submissions (table)",
        "subs_caption": "Your submissions",
        "col_achievement": "Micro-credential",
        "col_status": "Status",
        "col_round": "Round",
        "col_changed": "Last change",
        "col_teacher": "Teacher",
        "col_school": "School",
        "col_step": "Step",
        "queue_pathways": "Pathways: where teachers are on each one",
        "col_waiting": "Waiting since",
        "pill_renewal": "Renewal",
        "pill_resubmitted": "Resubmitted",
        "subs_none": "You have not started a submission yet.",
        "queue_title": "Review queue",
        "queue_intro": "Submissions waiting for a decision, oldest first.",
        "queue_filter": "Filter the queue",
        "queue_all_schools": "All schools",
        "queue_all_achievements": "All micro-credentials",
        "queue_filter_button": "Filter",
        "queue_table": "Submissions waiting (table)",
        "queue_count": "{count} waiting",
        "queue_conflict": "Another reviewer decides",
        "queue_days": "{days} d",
        "queue_none": "Nothing is waiting.",
        "queue_none_filtered": "Nothing is waiting for these filters.",
        "dash_title": "dashboard",
        "dash_show": "Show",
        "dash_authoring": "Micro-credentials: create, edit, publish",
        "dash_people": "People, invitations and mentoring",
        "dash_credentials": "Credentials: revoke or suspend",
        "dash_art": "Badge art",
        "dash_audit": "Audit log",
        "dash_partners": "Partners and endorsements",
        "dash_pathways": "Pathways: progress and capstones",
        "dash_flagged": "{count} capstones flagged:",
        "dash_flagged_one": "{count} capstone flagged:",
        "dash_flagged_why": "a component credential was revoked.",
        "dash_flagged_decide": "Decide whether to keep or revoke",
        "dash_export": "Download every submission (CSV)",
        "dash_sent": "submissions sent",
        "dash_waiting": "waiting for review",
        "dash_awarded": "badges awarded and in force",
        "dash_revoked_more": "({count} more revoked)",
        "dash_median": "median time to review",
        "dash_mean": "(mean {hours} h)",
        "chart_numbers": "Show the numbers",
        "chart_table": "{title} (table)",
        "chart_none": "No data yet.",
        "chart_chart-status": "Submissions by status",
        "chart_chart-review": "Median time to review by school",
        "chart_chart-school": "Badges awarded by school",
        "chart_chart-achievement": "Badges awarded by micro-credential",
        "unit_submissions": "submissions",
        "unit_hours": "hours",
        "unit_badges": "badges",
        "chart_chart-steps": "Teachers who completed each step",
        "chart_chart-gaps": "Median days since the previous step",
        "unit_teachers": "teachers",
        "unit_days": "days",
        "submission_draft": "Draft",
        "submission_submitted": "Waiting for review",
        "submission_returned": "Returned for revision",
        "submission_approved": "Approved",
        "submission_declined": "Declined",
        "blocker_not_in_scope": "Only a reviewer for this school or district can decide on "
                                "this submission.",
        "blocker_own_submission": "You cannot review your own submission.",
        "summary_problem": "There is a problem",
        "ev_file": "File",
        "ev_bytes": "{n} bytes",
        "ev_link": "Link",
        "ev_reflection": "Written reflection",
        "ev_student": "Contains student data",
        "ev_shared": "Shared in the badge",
        "ev_download": "Download {name}",
        "ev_new_tab": "(opens in a new tab)",
        "hist_created": "Started",
        "hist_submitted": "Submitted",
        "hist_resubmitted": "Resubmitted",
        "hist_approved": "Approved",
        "hist_returned": "Returned for revision",
        "hist_declined": "Declined",
        "hist_round": "(round {round})",
        "hist_pieces_1": "1 piece of evidence",
        "hist_pieces": "{n} pieces of evidence",
        "hist_reflections_1": "and 1 rubric reflection",
        "hist_reflections": "and {n} rubric reflections",
        "rev_round": "Round {round}: {decision}",
        "sub_title": "{name}: your evidence",
        "sub_round": "round {round}",
        "sub_version": "version {version} of this micro-credential",
        "sub_reviewed_version": "reviewed against version {version} of this micro-credential",
        "sub_renewal": "Renewal of your badge issued on {date}",
        "sub_renewal_until": "(valid until {date})",
        "sub_renewal_text": "submit fresh evidence; approval issues a new badge that refers to it.",
        "sub_feedback_from": "Feedback from {name}",
        "sub_revise": "Revise your evidence below, then submit it again. Everything you had is "
                      "still here.",
        "sub_approved": "Approved",
        "sub_approved_text": "Your badge is in your {wallet}, with downloads and a share link.",
        "sub_wallet": "wallet",
        "sub_with_reviewers": "With the reviewers",
        "sub_with_reviewers_text": "Your evidence is waiting for a reviewer. You will get an "
                                   "e-mail when they decide.",
        "sub_declined": "Declined",
        "sub_evidence": "Evidence ({count})",
        "sub_remove": "Remove",
        "sub_no_evidence": "No evidence yet. Add files, links or written notes below; each is "
                           "saved as soon as you add it.",
        "sub_add": "Add evidence",
        "sub_add_hint": "Each piece is saved as soon as you add it. Files stay private: only you "
                        "and your district's reviewers can open them. Tick \"contains student "
                        "data\" for anything with students' names, work or images; it is never "
                        "put in the badge.",
        "sub_a_file": "A file",
        "sub_title_label": "Title",
        "sub_optional": "(optional)",
        "sub_file_hint": "{accepted}; at most {size}.",
        "sub_mention": "Mention it in the badge (its title only; the file stays private)",
        "sub_upload": "Upload file",
        "sub_a_link": "A link",
        "sub_web_address": "Web address",
        "sub_note": "Note",
        "sub_share_link": "Share this link in the badge",
        "sub_add_link": "Add link",
        "sub_a_note": "A written note or reflection",
        "sub_text": "Text",
        "sub_share_text": "Share this text in the badge",
        "sub_add_note": "Add note",
        "sub_reflections_and_submit": "Reflections and submission",
        "sub_submit_heading": "Submit",
        "sub_reflection": "Reflection: {name}",
        "sub_reflection_hint": "How does your evidence show this? The rubric's levels are beside "
                               "the form.",
        "sub_submit_hint": "Submitting sends your evidence to a reviewer.",
        "sub_history_kept": "Your earlier round and its feedback stay in the history.",
        "sub_save": "Save draft",
        "sub_resubmit": "Resubmit for review",
        "sub_submit": "Submit for review",
        "sub_reflections": "Reflections",
        "sub_rubric": "Rubric",
        "sub_reviews": "Reviews",
        "sub_history": "History",
        "rv_title": "Review: {name}, {achievement}",
        "rv_version": "Reviewed against version {version} of this micro-credential",
        "rv_newer": "(it has been edited since: a newer version exists, and this submission is "
                    "judged on the text below)",
        "rv_required": "{required} reviewers must approve; {approvals} so far.",
        "rv_renewal": "Renewal",
        "rv_renewing": "{name} is renewing the badge issued on {issued}, which expires on {until}.",
        "rv_renewing_expired": "{name} is renewing the badge issued on {issued}, which expired "
                               "on {until}.",
        "rv_no_date": "no date",
        "rv_renew_judge": "Judge the fresh evidence as for a first award; approving issues a new "
                          "badge whose evidence names this one.",
        "rv_renews": "Renews credential",
        "rv_revoked_since": "Revoked since",
        "rv_evidence": "Evidence",
        "rv_student": "Some evidence contains student data. Handle it under the district's "
                      "student-privacy (FERPA) rules: do not copy or forward it.",
        "rv_no_evidence": "No evidence.",
        "rv_earlier": "Earlier rounds",
        "rv_decide": "Rubric and decision",
        "rv_not_waiting": "This submission is not waiting for a decision ({status}).",
        "rv_cannot": "You cannot decide on this submission.",
        "rv_no_rubric": "No rubric: judge the evidence against the criteria.",
        "rv_feedback": "Feedback for the teacher",
        "rv_feedback_hint": "Required to return or decline. Say what is strong and what to revise.",
        "rv_approve": "Approve and award the badge",
        "rv_return": "Return for revision",
        "rv_decline": "Decline",
        "prof_website": "Website",
        "prof_email": "E-mail",
        "prof_part_of": "Part of",
        "prof_keys": "Published keys",
        "prof_did": "DID document",
        "prof_none": "None published yet.",
        "cd_criteria": "Criteria",
        "cd_effort": "Estimated effort",
        "cd_hours": "{hours} hours",
        "cd_valid_for": "Valid for",
        "cd_years": "{years} years, then renewed",
        "cd_competencies": "Competencies",
        "cd_earn": "Earn it",
        "cd_have": "You have a submission for this micro-credential:",
        "cd_open": "Open your submission",
        "cd_for": "Submitting for",
        "cd_start": "Start a submission",
        "cd_not_offered": "This micro-credential is not offered to your school.",
        "cd_reflection_asked": "Reflection asked",
        "cd_levels": "Levels for {name}",
        "cd_level": "Level",
        "cd_looks_like": "What it looks like",
        "cd_no_rubric": "No rubric: the reviewer judges the evidence against the criteria.",
        "cat_title": "Micro-credentials",
        "cat_intro": "Earn a micro-credential by showing evidence of your practice. A reviewer "
                     "scores it against the rubric and gives feedback; approval awards a "
                     "signed badge you can share.",
        "cat_pathways": "Pathways",
        "cat_pathway": "Pathway",
        "cat_hours": "About {hours} hours",
        "cat_none": "No micro-credentials are offered to you yet.",
        "signin_intro": "Teachers, reviewers and district staff sign in to earn, review and "
                        "award micro-credentials.",
        "signin_email": "E-mail address",
        "signin_password": "Password",
        "signin_forgot": "Forgot your password?",
        "signin_no_account": "No account? Your district administrator sends an invitation by "
                             "e-mail.",
        "blocker_mentor": "You mentor this teacher, and the district asks that another "
                          "reviewer decide on their submissions.",
        # --- i19e ---
        "claim_title": "Claim {name} in a wallet",
        "claim_intro": "Scan this code with an OpenID4VCI wallet app, or open the link on the "
                       "device that has the wallet. The wallet receives its own copy of this "
                       "badge, bound to its key; this district keeps the original record, and "
                       "revoking the badge revokes the copy too.",
        "claim_open": "Open in a wallet app",
        "claim_code_asked": "Your wallet will ask for a 6-digit code.",
        "claim_code_sent": "We sent it to {email}: your district asks for it so that nobody "
                           "who sees this screen can claim the badge.",
        "claim_once": "This offer works once and expires on {when} UTC. Ask for a new one from "
                      "your wallet page if it expires.",
        "claim_link": "The offer link",
        "claim_lcw_before": "Scan this code with the ",
        "claim_lcw_after": ", or open the link on the phone that has it: the wallet proves it "
                           "controls its key and receives its own copy of the badge. The same "
                           "offer works once, whichever wallet claims it.",
        "claim_lcw_open": "Open in the Learner Credential Wallet",
        "claim_lcw_older": "For older versions of the Learner Credential Wallet",
        "claim_lcw_older_link": "Open with the older link",
        "claim_lcw_no_code": "The Learner Credential Wallet cannot ask for the e-mailed code, so "
                             "your district's rule leaves it out: use an OpenID4VCI wallet.",
        "wauth_title": "Send a badge to a wallet app",
        "wauth_asks_before": "The wallet app ",
        "wauth_asks_middle": " asks for one of your badges. If you allow it, you will be sent "
                             "back to ",
        "wauth_asks_after": " and the wallet receives its own copy of the badge, bound to its "
                            "key. This district keeps the original record; revoking the badge "
                            "revokes the copy too.",
        "wauth_which": "Which badge?",
        "wauth_issued": "{issuer}, issued {day}",
        "wauth_none": "You have no badge that can be claimed into a wallet (revoked and "
                      "suspended badges cannot).",
        "wauth_back": "Back to the wallet app",
        "wauth_too_many": "Too many requests from this address. Wait a few minutes and try "
                          "again from your wallet app.",
        "consent_allow": "Allow",
        "consent_deny": "Do not allow",
        "obc_title": "Allow {client}?",
        "obc_heading": "Allow {client} to use your badges?",
        "obc_asks": " asks to connect to your badges here. If you allow it, it can:",
        "obc_back_before": "After you answer, you go back to ",
        "obc_cannot": "It cannot see your evidence, your reviews or your password. You can "
                      "disconnect it at any time from your wallet.",
        "obc_read_before": "Read its ",
        "obc_terms": "terms",
        "obc_and": " and ",
        "obc_privacy": "privacy policy",
        "obapi_scope_credential_readonly": "Read your badges (the credentials you earned here "
                                           "and those stored for you)",
        "obapi_scope_credential_upsert": "Add or update badges in your wallet",
        "obapi_scope_profile_readonly": "Read your profile (your name and e-mail address)",
        "obapi_scope_profile_update": "Change the name on your profile",
        "obt_title": "Open Badges API: terms and privacy",
        "obt_intro": "Badge hosts and wallets that speak the 1EdTech Open Badges 3.0 API can "
                     "connect to a teacher's badges here, but only after the teacher signs in "
                     "and allows it. A host sees only what the teacher allowed:",
        "obt_privacy": "Privacy",
        "obt_privacy_text": "We keep a record of which host was allowed, when and for what, in "
                            "the district's audit log. Hosts never receive evidence, reviews or "
                            "passwords. Credentials a host stores for a teacher are checked "
                            "before they are kept, and are shown to that teacher only.",
        # --- i18d ---
        "adm_rv_permanent": "Revocation cannot be undone.",
        "adm_rv_permanent_more": "A revoked credential reads as revoked to every verifier from "
                                 "now on; to stop it counting for a while instead, suspend it.",
        "adm_rv_reason": "Reason for revoking",
        "adm_rv_reason_hint": "Required. Kept in the district's audit log.",
        "adm_rv_public": "Publish this reason on the credential's public page",
        "adm_rv_confirm": "I understand that revocation cannot be undone",
        "adm_dashboard": "dashboard",
        "adm_organization": "Organization",
        "adm_search": "Search",
        "adm_status": "Status",
        "adm_teacher": "Teacher",
        "adm_microcredential": "Micro-credential",
        "adm_issued": "Issued",
        "adm_issued_by": "Issued by",
        "adm_expires": "Expires",
        "adm_actions": "Actions",
        "adm_never": "Never",
        "adm_since": "since",
        "adm_on": "on",
        "adm_reason": "Reason",
        "adm_public": "public",
        "adm_not_public": "not public",
        "adm_note": "Note",
        "adm_suspend": "Suspend",
        "adm_unsuspend": "Unsuspend",
        "adm_revoke": "Revoke",
        "adm_pages": "Pages",
        "adm_prev_page": "Previous page",
        "adm_next_page": "Next page",
        "adm_page_of": "Page {number} of {pages}",
        "adm_state_active": "Active",
        "adm_state_suspended": "Suspended",
        "adm_state_revoked": "Revoked",
        "adm_state_expired": "Expired",
        "adm_cr_title": "Credentials",
        "adm_cr_intro": "Every badge {org} and its schools issued, newest first. Open one to "
                        "suspend or revoke it.",
        "adm_cr_search_label": "Search the credentials",
        "adm_cr_q_hint": "Teacher name or e-mail, micro-credential, or credential id",
        "adm_cr_any_status": "Any status",
        "adm_cr_bulk_link": "Revoke many credentials by pasting their ids",
        "adm_cr_table": "Credentials (table)",
        "adm_cr_count_one": "{count} credential",
        "adm_cr_count": "{count} credentials",
        "adm_cr_found_one": "found",
        "adm_cr_found": "found",
        "adm_cr_select": "Select for revocation",
        "adm_cr_select_one": "Select",
        "adm_cr_none_permanent": "None: revocation is permanent",
        "adm_cr_bulk_ticked": "Revoke the ticked credentials",
        "adm_cr_bulk_hint": "Tick credentials in the table above (on this page), then give one "
                            "reason for all of them.",
        "adm_cr_none_match": "No credentials match this search.",
        "adm_cr_none_yet": "No credentials yet.",
        "adm_c_flagged": "Flagged for a decision:",
        "adm_c_flagged_why": "this is the capstone of the pathway “{pathway}” and its {reason}. "
                             "Nothing was changed:",
        "adm_c_keep_or_revoke": "keep or revoke it",
        "adm_c_none_given": "None given",
        "adm_c_reason_shown": "shown on the public page",
        "adm_c_suspension_note": "Suspension note",
        "adm_c_id": "Credential id",
        "adm_c_public_page": "Public page",
        "adm_c_revoked": "This credential is revoked. Revocation is permanent: there is nothing "
                         "more to do.",
        "adm_c_suspended_now": "Verifiers read this credential as suspended. Unsuspend it when "
                               "it should count again.",
        "adm_c_unsuspend": "Unsuspend this credential",
        "adm_c_not_suspendable": "This credential cannot be suspended, only revoked: it was "
                                 "issued while suspension was off for its issuer. Suspension is "
                                 "off by default because it gives each credential a second "
                                 "status entry, which the Open Badges 3.0 JSON Schema (and "
                                 "validators built on it) reject. A district can switch it on "
                                 "for new credentials with",
        "adm_c_suspend_intro": "Verifiers read a suspended credential as suspended until you "
                               "unsuspend it, for example while a complaint is looked into.",
        "adm_c_note_optional": "Note (optional)",
        "adm_c_note_hint": "For the district's records only; never shown publicly.",
        "adm_c_suspend": "Suspend this credential",
        "adm_c_revoke": "Revoke this credential",
        "adm_bk_title": "Revoke many credentials",
        "adm_bk_revoked_of": "Revoked {done} of {asked}",
        "adm_bk_not_found": "Not found, or not issued by {org} or its schools",
        "adm_bk_already": "Already revoked, left as they were",
        "adm_bk_duplicates": "The same credential listed again, counted once",
        "adm_bk_failed": "Not revoked",
        "adm_bk_form": "Credentials to revoke",
        "adm_and_schools": "{org} and its schools",
        "adm_bk_ids": "Credential ids, one per line",
        "adm_bk_ids_hint1": "The",
        "adm_bk_ids_hint2": "id or just the part after",
        "adm_bk_ids_hint3": "Up to 10,000 at a time.",
        "adm_bk_submit": "Revoke these credentials",
        "adm_msg_confirm": "Tick the box to confirm that you understand revocation cannot be "
                           "undone.",
        "adm_msg_reason": "Give a reason for the revocation: nothing was revoked.",
        "adm_msg_already_revoked": "This credential is already revoked; revocation cannot be "
                                   "undone.",
        "adm_msg_already_suspended": "This credential is already suspended.",
        "adm_msg_not_suspended": "This credential is not suspended.",
        "adm_msg_reason_shown": "The reason is shown on its public page.",
        "adm_msg_revoked": "Revoked {name}'s {achievement} credential.{shown} Verifiers see the "
                           "change within five minutes.",
        "adm_msg_suspended": "Suspended {name}'s {achievement} credential. Verifiers see the "
                             "change within five minutes.",
        "adm_msg_active": "{name}'s {achievement} credential is active again. Verifiers see the "
                          "change within five minutes.",
        "adm_msg_no_ids": "Paste at least one credential id, or tick credentials on the list.",
        "adm_msg_too_many": "At most {most} ids at a time: nothing was revoked.",
        "adm_msg_reason_bulk": "Give a reason for the revocation: nothing was revoked.",
        "adm_msg_nothing_revoked": "Nothing was revoked.",
        # --- i20g ---
        "pa_title": "Pathways",
        "pa_breadcrumb": "{org}: pathways",
        "pa_show": "Show",
        "pa_flags_title": "Capstones to decide on",
        "pa_flags_intro": "A component credential of these capstones was revoked. Nothing was "
                          "changed: keep the capstone, or revoke it.",
        "pa_flagged_on": "flagged {day}",
        "pa_capstone_credential": "The capstone credential",
        "pa_keep": "Keep",
        "pa_revoke": "Revoke",
        "pa_capstone_of": "{name}'s capstone",
        "pa_new": "New pathway",
        "pa_count_one": "{org}: {count} pathway",
        "pa_count": "{org}: {count} pathways",
        "pa_col_pathway": "Pathway",
        "pa_col_steps": "Steps",
        "pa_col_awarded_by": "Capstone awarded by",
        "pa_col_completed": "Completed",
        "pa_by_review": "final review",
        "pa_by_completion": "completion",
        "pa_archived": "Archived",
        "pa_none": "No pathways yet.",
        "pa_capstone_label": "Capstone:",
        "pa_capstone_none": "none",
        "pa_awarded_review": "awarded after a final review.",
        "pa_awarded_auto": "awarded automatically when the last step is done.",
        "pa_completed_stat": "teachers completed the pathway",
        "pa_download_csv": "Download the cohort figures (CSV)",
        "pa_archive": "Archive this pathway",
        "pa_edit": "Edit this pathway",
        "pa_step_label": "Step {number}: {title}",
        "pa_new_title": "New pathway",
        "pa_edit_title": "Edit “{name}”",
        "pa_problems_one": "{count} problem to fix: nothing was saved",
        "pa_problems": "{count} problems to fix: nothing was saved",
        "pa_a_problem": "There is a problem",
        "pa_goal": "The goal",
        "pa_name": "Name",
        "pa_required": "(required)",
        "pa_slug": "Short name for links",
        "pa_slug_hint": "Lower-case letters, digits and dashes, e.g. edtech-coach.",
        "pa_slug_fixed": "The short name is the pathway's identity: it cannot change.",
        "pa_description": "Description",
        "pa_capstone": "Capstone: the micro-credential awarded when every step is done",
        "pa_capstone_fixed_one": "{count} capstone was already issued: the capstone can no "
                                 "longer change.",
        "pa_capstone_fixed": "{count} capstones were already issued: the capstone can no "
                             "longer change.",
        "pa_choose": "Choose…",
        "pa_how_awarded": "How the capstone is awarded",
        "pa_auto": "Automatically, when the last step is done",
        "pa_review": "After a final review by a reviewer",
        "pa_steps": "Steps",
        "pa_steps_hint": "Up to {slots} steps, in order; leave the ones you do not need empty. "
                         "A step with one micro-credential is required; with several, say how "
                         "many to earn (\"any 1 of these 2\"). \"Unlocked after\" lists earlier "
                         "step numbers that must be done first.",
        "pa_step": "Step {number}",
        "pa_step_title": "Step {number} title",
        "pa_step_credentials": "Step {number} micro-credentials",
        "pa_step_choose": "Step {number}: how many to earn",
        "pa_step_choose_hint": "Only for a step with several micro-credentials.",
        "pa_step_after": "Step {number}: unlocked after steps",
        "pa_step_after_hint": "Step numbers separated by commas, e.g. 1, 2. Empty: open from the "
                              "start.",
        "pa_save": "Save pathway",
        "pa_save_edit": "Save changes",
        "pa_edit_note": "Teachers in progress are measured against the new steps as soon as you "
                        "save: the badges they hold count toward the new steps, and anyone the "
                        "change finishes completes the pathway. Teachers who already completed "
                        "it keep their capstone.",
        "pa_saved": "Pathway saved: {name}.",
        "pa_saved_edit": "Changes saved: {name}.",
        "pa_completed_now_one": "{count} teacher completed the pathway with the new steps.",
        "pa_completed_now": "{count} teachers completed the pathway with the new steps.",
        "pa_archived_msg": "Archived: {name}.",
        "pa_kept_msg": "Capstone kept.",
        "pa_revoked_msg": "Capstone revoked.",
        "pa_archived_no_edit": "“{name}” is archived: an archived pathway cannot be edited.",
        "rv_pw_title": "Final review of the pathway “{name}”",
        "rv_pw_text": "{name} completed every step. Approving issues this capstone, naming "
                      "these credentials as its evidence:",
        "rv_pw_issued": "{name}, issued {day}",
        "pw_quoted": "“{name}”",
        # --- es2 ---
        "acct_forgot_sent": "If an account exists for that address, we sent a link to it. The "
                            "link works once, for {minutes} minutes.",
        "acct_forgot_nothing": "Nothing arrived after a few minutes? Check your spam folder, or "
                               "ask your district administrator.",
        "acct_back_sign_in": "Back to sign in",
        "acct_forgot_intro": "Enter the e-mail address you sign in with. If it has an account, "
                             "we send a link to choose a new password.",
        "acct_send_link": "Send me a link",
        "acct_inv_title": "Invitation",
        "acct_inv_join": "Join {org}",
        "acct_inv_as_before": "You are invited as ",
        "acct_inv_as_middle": " with the address ",
        "acct_inv_as_after": ".",
        "acct_inv_add_roles": "Accept to add these roles to your account.",
        "acct_inv_existing_before": "This address already has an account. ",
        "acct_inv_sign_in": "Sign in",
        "acct_inv_existing_after": " first, then open the link again.",
        "acct_inv_name": "Your name, as it should appear on your badges",
        "acct_choose_password": "Choose a password",
        "acct_password_hint": "At least 10 characters. A short sentence is easy to remember and "
                              "hard to guess.",
        "acct_inv_accept": "Accept the invitation",
        "acct_link_invalid_title": "Link not valid",
        "acct_link_invalid": "This link does not work any more",
        "acct_new_link": "Ask for a new link",
        "acct_new_password_title": "Choose a new password",
        "acct_reset_for_before": "For the account of ",
        "acct_reset_for_after": ". Signing in anywhere else with the old password stops working.",
        "acct_new_password": "New password",
        "acct_save_password": "Save the new password",
        "acct_start_title": "Start",
        "acct_hello": "Hello, {name}",
        "acct_signed_in_as": "Signed in as {roles}.",
        "acct_your_evidence": "Your evidence",
        "acct_your_wallet": "Your wallet of badges",
        "acct_review": "Review",
        "acct_waiting_one": "submission waiting for a decision.",
        "acct_waiting": "submissions waiting for a decision.",
        "acct_open_queue": "Open the review queue",
        "acct_district_text": "Progress across schools, people and invitations.",
        "acct_open_dashboard": "Open the dashboard",
        "acct_people_link": "People and invitations",
        "acct_signed_out": "You are signed out.",
        "acct_welcome": "Welcome, {name}: your account is ready.",
        "acct_password_changed": "Your password was changed. Sign in with your new password.",
        "acct_sign_in_wrong": "The e-mail address or password is not right.",
        "role_admin": "District admin",
        "role_reviewer": "Reviewer / mentor",
        "role_earner": "Teacher",
        "ppl_title": "People",
        "ppl_members": "Members ({count})",
        "ppl_members_table": "Members (table)",
        "ppl_roles": "Roles",
        "ppl_open": "Open invitations",
        "ppl_until": "(until {date})",
        "ppl_invite": "Invite someone",
        "ppl_org": "School or district",
        "ppl_mail_lang": "Language of the invitation e-mail",
        "ppl_send": "Send invitation",
        "ppl_conflict": "Conflict of interest",
        "ppl_mentor_rule": "Mentors may not decide on submissions from teachers they mentor",
        "ppl_own": "Nobody can ever review their own submission.",
        "ppl_save_rule": "Save the rule",
        "ppl_mentoring": "Mentoring",
        "ppl_mentors": "{mentor} mentors {teacher}",
        "ppl_mentoring_pair": "{mentor} mentoring {teacher}",
        "ppl_no_pairs": "No mentoring pairs yet.",
        "ppl_mentor": "Mentor",
        "ppl_mark": "Mark as mentoring",
        "ppl_invited": "Invitation sent to {email}. The link, in case the e-mail does not "
                       "arrive: {link}",
        "ppl_mentoring_updated": "Mentoring updated.",
        "ppl_rule_on": "Mentors now cannot decide on their mentees' submissions.",
        "ppl_rule_off": "Mentors may now decide on their mentees' submissions.",
        "mail_invite_subject": "You are invited to {org} micro-credentials",
        "mail_invite_body": "Hello,\n\n{inviter} invited you to {org} on the district's "
                            "micro-credential service.\n\nChoose your name and password here "
                            "(the link works for {days} days):\n\n{link}\n",
        "mail_partner_subject": "{district} invites {partner} to endorse its micro-credentials",
        "mail_partner_body": "Hello,\n\n{district} invited {partner} to endorse its "
                             "micro-credential programme. Choose your name and password here "
                             "(the link works for {days} days):\n\n{link}\n",
        "mail_reset_subject": "Reset your badges password",
        "mail_reset_body": "Hello {name},\n\nSomeone (we hope you) asked to reset the password "
                           "of your account on the district's micro-credential "
                           "service.\n\nChoose a new password here (the link works once, for "
                           "{minutes} minutes):\n\n{link}\n\nIf you did not ask, ignore this "
                           "e-mail: your password stays as it is.\n",
        "mail_claim_subject": "Your code to claim {name} in a wallet",
        "mail_claim_body": "Your wallet app will ask for a transaction code to claim {name}. The "
                           "code is {code}. It works once, until {until}.\n\nIf you did not ask "
                           "to claim this badge, you can ignore this message.",
        "prt_title": "Partners",
        "prt_intro": "A partner (a university, a state agency) gets its own issuer identity and "
                     "keys here, and endorses your micro-credentials or your district with a "
                     "signed Open Badges endorsement. Badges awarded afterwards carry the "
                     "endorsements, and verifiers check each one.",
        "prt_partners": "Partners ({count})",
        "prt_since": "(since {date})",
        "prt_none": "No partners yet.",
        "prt_endorsements": "Endorsements",
        "prt_endorsed": "{partner} endorsed {subject}",
        "prt_withdrawn": "withdrawn {date}",
        "prt_no_endorsements": "No endorsements yet.",
        "prt_invite": "Invite a partner",
        "prt_name": "Organization name",
        "prt_slug": "Short name (letters, digits and hyphens; part of its web address)",
        "prt_url": "Website (optional)",
        "prt_email": "Its administrator's e-mail address",
        "prt_add": "Add the partner and send the invitation",
        "prt_added": "{partner} was added and {email} invited. The link, in case the e-mail does "
                     "not arrive: {link}",
        "prt_signed": "Endorsement signed: {subject}",
        "prt_withdrawn_msg": "Endorsement withdrawn: verifiers now read it as revoked.",
        "prt_endorse_title": "Endorse {district}'s micro-credentials",
        "prt_signs_before": "{org} signs each endorsement with its own key (",
        "prt_its_profile": "its issuer profile",
        "prt_signs_after": "). Badges {district} awards afterwards carry it, and any verifier "
                           "checks it; withdrawing it makes verifiers read it as revoked.",
        "prt_new": "New endorsement",
        "prt_what": "What you endorse",
        "prt_district_as_issuer": "(the district as an issuer)",
        "prt_comment": "Your comment",
        "prt_comment_hint": "Shown with the endorsement, e.g. what you reviewed and why you "
                            "endorse it.",
        "prt_sign": "Sign the endorsement",
        "prt_yours": "Your endorsements",
        "prt_withdraw": "Withdraw",
        "prt_withdraw_hidden": "the endorsement of {subject}",
        "prt_none_yet": "None yet.",
        "ren_title": "Renew {name}",
        "ren_expired_on": "expired on {date}",
        "ren_revoked": "A revoked credential cannot be renewed.",
        "ren_suspended": "This badge cannot be renewed until the district lifts the suspension.",
        "ren_renewed_before": "This badge has already been renewed: the new one is in your ",
        "ren_in_progress": "A renewal of this badge is already in progress: ",
        "ren_not_yet": "You can renew this badge from {date}.",
        "ren_none": "This badge does not expire, so it needs no renewal.",
        "ren_text": "Renewing starts a new submission for this micro-credential. Add fresh "
                    "evidence and submit it; when a reviewer approves it, you get a new badge "
                    "that refers to this one. This badge stays in your wallet as it is.",
        "ren_school": "School you are submitting for",
        "ren_start": "Start the renewal",
        "ren_started": "Renewal of {name} started: add fresh evidence and submit it for review.",
        "ren_share_on": "The share link for {name} is on: anyone with the link can see and check "
                        "the badge.",
        "ren_share_off": "The share link for {name} is off: the link no longer works.",
        "ren_disconnected": "{app} can no longer reach your badges.",
        "ren_the_app": "The app",
        "ae_new": "New micro-credential",
        "ae_count_one": "{org}: {count} micro-credential",
        "ae_count": "{org}: {count} micro-credentials",
        "ae_version": "Version",
        "ae_unlisted": "not listed in the catalogue",
        "ae_status_draft": "Draft",
        "ae_status_published": "Published",
        "ae_status_archived": "Archived",
        "ae_state_draft": "draft",
        "ae_state_published": "published",
        "ae_state_archived": "archived",
        "ae_edit": "Edit",
        "ae_publish": "Publish",
        "ae_archive": "Archive",
        "ae_none": "No micro-credentials yet.",
        "ae_edit_title": "Edit {name}",
        "ae_breadcrumb": "{org}: micro-credentials",
        "ae_status_line": "Status: {status} · version {version}",
        "ae_new_version": ". Badges were awarded (or evidence submitted) for this version: "
                          "saving a change makes version {next}, and earlier badges keep their "
                          "own.",
        "ae_about": "About",
        "ae_slug_hint": "Lower-case letters, digits and dashes, e.g. "
                        "classroom-technology-integration. It cannot change later.",
        "ae_kind": "Kind of achievement",
        "ae_tags": "Tags",
        "ae_tags_hint": "Separated by commas.",
        "ae_earning": "How it is earned",
        "ae_criteria_hint": "What a teacher must show to earn it.",
        "ae_evidence": "Evidence requirements",
        "ae_evidence_hint": "Shown to teachers when they submit.",
        "ae_validity": "Valid for (days)",
        "ae_validity_hint": "Leave empty for a badge that does not expire.",
        "ae_effort": "Estimated effort (hours)",
        "ae_rubric_hint": "Up to {criteria} criteria with {levels} levels each; leave the rows "
                          "you do not need empty. Each level needs a name, a description and "
                          "points.",
        "ae_rubric_name": "Rubric name",
        "ae_criterion": "Criterion {n}",
        "ae_criterion_name": "Criterion {n} name",
        "ae_level_name": "Criterion {n}, level {level} name",
        "ae_level_description": "Criterion {n}, level {level} description",
        "ae_level_points": "Criterion {n}, level {level} points",
        "ae_items": "{title} ({count} items)",
        "ae_import_before": "Import a CASE framework with ",
        "ae_import_after": " to choose from its items here.",
        "ae_review": "Review and catalogue",
        "ae_reviewers": "Reviewers who must approve",
        "ae_reviewers_hint": "From 1 to 5 different reviewers.",
        "ae_mentors": "Mentors and their mentees",
        "ae_conflict_district": "Follow the district's rule",
        "ae_conflict_block": "Mentors never decide for their mentees",
        "ae_conflict_allow": "Mentors may decide for their mentees",
        "ae_list_it": "List it in the teachers' catalogue once published",
        "ae_save_draft": "Save as draft",
        "ae_cancel": "Cancel",
        "ae_other": "Other alignments",
        "ae_draft_saved": "Draft saved: {name}. Publish it when it is ready.",
        "ae_saved_version": "Saved as version {version}: badges already awarded keep the version "
                            "they were issued with.",
        "ae_saved": "Saved.",
        "ae_moved_draft": "{name} is draft.",
        "ae_moved_published": "{name} is published.",
        "ae_moved_archived": "{name} is archived.",
        "art_intro": "Each micro-credential has one image, shown in the catalogue, wallets, "
                     "share pages, baked badges, certificates and the verifier. Upload a PNG "
                     "({min_side} to {max_side} pixels a side) or an SVG, at most {max_kib} KB. "
                     "SVGs are checked and cleaned: scripts, event handlers, embedded HTML and "
                     "links to other files are refused. Or design one from your district's "
                     "templates. Without either, a medallion in your colour with the "
                     "micro-credential's name is used.",
        "art_image": "Image:",
        "art_uploaded": "uploaded {kind} on {date} by {who}",
        "art_generated": "generated",
        "art_alt": "Alternative text:",
        "art_design": "Design an image",
        "art_for": "for {name}",
        "art_the_image_for": "the image for {name}",
        "art_upload_new": "Upload a new image",
        "art_file": "PNG or SVG file",
        "art_what": "What the image shows",
        "art_what_hint": "Read aloud by screen readers in place of the image, for example "
                         "“Digital Literacy badge: a blue shield with an open book”.",
        "art_upload": "Upload",
        "art_use_generated": "Use the generated image",
        "art_none": "{org} has no micro-credentials yet.",
        "art_refused": "{name}: {problem}. The image was not changed.",
        "art_now_uploaded": "{name} now has the uploaded image everywhere: catalogue, wallets, "
                            "share pages, baked badges, certificates and the verifier.",
        "art_now_designed": "{name} now has the designed image everywhere: catalogue, wallets, "
                            "share pages, baked badges, certificates and the verifier.",
        "art_generated_again": "{name} uses the generated image again.",
        "art_choose_file": "choose a PNG or SVG file to upload",
        "bd_title": "Design the badge",
        "bd_heading": "Design the badge for {name}",
        "bd_intro": "Pick a template, one of your district's colours and an icon. The name is "
                    "drawn in large letters so it stays readable when the badge is shown small "
                    "(64 pixels) and on printed certificates: at most {max_lines} lines of "
                    "{max_line} letters; a longer name is shown as its initials. The preview is "
                    "the exact image that will be saved, checked like an upload.",
        "bd_small_alt": "The same badge at 64 pixels: {alt}",
        "bd_at_64": "at 64 pixels",
        "bd_failed": "The preview could not be drawn; choose again or use the Preview button.",
        "bd_template": "Template",
        "bd_shape_medallion": "Medallion",
        "bd_shape_shield": "Shield",
        "bd_shape_hexagon": "Hexagon",
        "bd_shape_tile": "Tile",
        "bd_shape_words_medallion": "circle with a white ring",
        "bd_shape_words_shield": "shield with a white border",
        "bd_shape_words_hexagon": "hexagon with a white border",
        "bd_shape_words_tile": "rounded square with a white border",
        "bd_colour": "Colour",
        "bd_district_colour": "District colour ({colour})",
        "bd_colour_blue": "blue",
        "bd_colour_green": "green",
        "bd_colour_purple": "purple",
        "bd_colour_rust_red": "rust red",
        "bd_colour_teal": "teal",
        "bd_colour_plum": "plum",
        "bd_icon": "Icon",
        "bd_no_icon": "No icon",
        "bd_icon_star": "star",
        "bd_icon_check": "check mark",
        "bd_icon_book": "open book",
        "bd_icon_bulb": "light bulb",
        "bd_icon_laptop": "laptop",
        "bd_icon_people": "two people",
        "bd_words": "Words on the badge",
        "bd_words_hint": "Leave empty to use the name, {name}. Short words stay large.",
        "bd_use": "Use this design",
        "bd_preview": "Preview",
        "aud_intro": "Who did what, and when, in {org}: awards, revocations, keys, reviews, "
                     "invitations. Entries are never changed or deleted. Times are UTC.",
        "aud_intro_district": "Who did what, and when, in {org} and its schools: awards, "
                              "revocations, keys, reviews, invitations. Entries are never "
                              "changed or deleted. Times are UTC.",
        "aud_filter_label": "Filter the audit log",
        "aud_actor": "Actor",
        "aud_actor_hint": "Part of an e-mail or token name",
        "aud_action": "Action",
        "aud_any_action": "Any action",
        "aud_subject": "Subject",
        "aud_anything": "Anything",
        "aud_subject_id": "Subject id",
        "aud_subject_hint": "Part of a credential, submission or key id",
        "aud_from": "From",
        "aud_to": "To (included)",
        "aud_clear": "Clear filters",
        "aud_download_these": "Download these entries (CSV)",
        "aud_download_all": "Download the whole log (CSV)",
        "aud_count_one": "{count} entry",
        "aud_count": "{count} entries",
        "aud_found_one": "found",
        "aud_found": "found",
        "aud_page_of": "page {number} of {pages}",
        "aud_when": "When (UTC)",
        "aud_details": "Details",
        "aud_details_of": "of {action} {subject}",
        "aud_none_match": "No entries match these filters.",
        "aud_none": "No entries yet.",
        "aud_kind_credential": "Credential",
        "aud_kind_submission": "Submission",
        "aud_kind_batch": "Batch run",
        "aud_kind_signing_key": "Signing key",
        "aud_kind_organization": "Organization",
        "aud_kind_person": "Person",
        "aud_kind_invitation": "Invitation",
        "aud_kind_certificate_template": "Certificate template",
        "aud_kind_achievement": "Micro-credential",
        "aud_kind_endorsement": "Endorsement",
        "bat_title": "Batch awards",
        "bat_heading": "Batch awards for {org}",
        "bat_status_queued": "Queued",
        "bat_status_running": "Running",
        "bat_status_completed": "Completed",
        "bat_status_failed": "Failed",
        "bat_status_cancelled": "Cancelled",
        "bat_status_interrupted": "Interrupted",
        "bat_file": "File",
        "bat_rows_created": "{rows} rows, created {created}.",
        "bat_progress": "Progress",
        "bat_finished": "Finished.",
        "bat_failed": "Stopped by an error.",
        "bat_failed_text": "Resume it to continue; nothing is issued twice.",
        "bat_cancelled": "Cancelled.",
        "bat_cancelled_text": "Resume it to continue.",
        "bat_interrupted": "Interrupted.",
        "bat_interrupted_text": "The process running it stopped before it finished. Resume it to "
                                "issue the rest; nothing is issued twice.",
        "bat_stalled": "No progress for a while.",
        "bat_stalled_text": "If a worker stopped, resume the batch.",
        "bat_done": "{percent}% done",
        "bat_left": ", about {minutes} min left",
        "bat_issued": "Issued",
        "bat_skipped": "Skipped (already issued)",
        "bat_failed_rows": "Failed",
        "bat_pending": "Pending",
        "bat_rate": "Rate",
        "bat_per_second": "{count} awards per second",
        "bat_mails": "E-mails sent",
        "bat_updates": "This page updates every 2 seconds.",
        "bat_stop": "Stop updating",
        "bat_certificates": "Certificates",
        "bat_cert_intro": "Make the PDF certificate of every credential this run issued, in one "
                          "ZIP file.",
        "bat_cert_made": "Certificates made",
        "bat_cert_making": "Making certificates:",
        "bat_cert_listing": "listing the credentials",
        "bat_cert_done_of": "{done} of {total} done",
        "bat_cert_ready": "Ready:",
        "bat_cert_count": "{count} certificates ({paper}).",
        "bat_cert_download": "Download the certificates (ZIP)",
        "bat_cert_stopped": "Making the certificates stopped.",
        "bat_cert_stopped_text": "Try again: certificates already made are kept.",
        "bat_cert_failed": "Could not be made",
        "bat_cert_revoked": "Skipped (revoked)",
        "bat_cert_suspended": "Skipped (suspended)",
        "bat_paper": "Paper",
        "bat_cert_make": "Make certificates",
        "bat_cert_again": "Make them again",
        "bat_cert_retry": "Try again",
        "bat_rows_failed": "Rows that failed",
        "bat_rows_caption": "By line of the file; fix them and upload those lines again.",
        "bat_line": "Line",
        "bat_column": "Column",
        "bat_more": "And {count} more: see the full report from the API or ",
        "bat_reason_invalid_email": "The e-mail address is not valid.",
        "bat_reason_missing_field": "A required value is missing.",
        "bat_reason_field_too_long": "A value is too long.",
        "bat_reason_invalid_text": "A value contains characters that are not allowed.",
        "bat_reason_unknown_achievement": "The achievement is not one this issuer offers.",
        "bat_reason_achievement_retired": "The achievement is retired.",
        "bat_reason_invalid_url": "The evidence link is not an http(s) link.",
        "bat_reason_invalid_date": "A date is not written YYYY-MM-DD.",
        "bat_reason_issue_date_in_future": "The issue date is in the future.",
        "bat_reason_expiry_before_issue": "The expiry date is not after the issue date.",
        "bat_reason_no_signing_key": "The issuer has no current signing key.",
        "bat_reason_schema_invalid": "The credential would not pass the Open Badges 3.0 schema.",
        "bat_reason_undefined_term": "The credential would use undefined terms.",
        "bat_reason_invalid_credential": "The credential could not be built from this row.",
        "mail_received_subject": "We received your evidence for {name}",
        "mail_submitted_body": "Hello {teacher},\n\nYour evidence for \"{name}\" was submitted "
                               "and is waiting for a reviewer. You will get an e-mail when they "
                               "decide.\n\nYour submission: {link}\n",
        "mail_resubmitted_body": "Hello {teacher},\n\nYour evidence for \"{name}\" was "
                                 "resubmitted and is waiting for a reviewer. You will get an "
                                 "e-mail when they decide.\n\nYour submission: {link}\n",
        "sub_sent_msg": "Your evidence was sent to the reviewers. You will get an e-mail when "
                        "they decide.",
        "sub_draft_saved_msg": "Draft saved.",
        "sub_evidence_saved_msg": "Evidence saved.",
        "sub_evidence_removed_msg": "Evidence removed.",
    },
    "es": {
        "site_skip": "Saltar al contenido",
        "site_check": "Comprobar una insignia",
        "site_main_nav": "Principal",
        "site_account": "Cuenta",
        "site_sign_in": "Iniciar sesión",
        "site_sign_out": "Cerrar sesión",
        "nav_catalogue": "Catálogo",
        "nav_evidence": "Mis evidencias",
        "nav_wallet": "Cartera",
        "nav_queue": "Cola de revisión",
        "nav_district": "Distrito",
        "home_title": "Emisores",
        "home_heading": "Emisores de este servicio",
        "home_check_heading": "¿Le han mostrado una insignia y quiere comprobarla?",
        "home_check_text": "Pegue su enlace, suba su archivo o su certificado en PDF, o una "
                           "foto de su código QR: el verificador dice quién la emitió, a quién "
                           "y si es auténtica y sigue siendo válida.",
        "home_part_of": "parte de {org}",
        "home_none": "Todavía no hay emisores. Ejecute {command} para crear un distrito de "
                     "demostración.",
        "ach_offered_by": "Microcredencial ofrecida por",
        "ach_archived": "Esta microcredencial ya no se ofrece. Las insignias ya obtenidas "
                        "siguen siendo válidas y verificables.",
        "ach_old_version": "Está leyendo la versión {version}, tal como se otorgó; la versión "
                           "actual es la",
        "ach_version": "versión {version}",
        "ach_version_cap": "Versión {version}",
        "ach_shown": "(la que se muestra)",
        "ach_how": "Cómo se obtiene",
        "ach_evidence": "Evidencias esperadas",
        "ach_effort": "Dedicación estimada: {hours} horas",
        "ach_rubric": "Rúbrica",
        "ach_points": "({points} puntos)",
        "ach_aligned": "Alineada con",
        "ach_history": "Historial",
        "ach_history_text": "Cada insignia conserva la versión con la que se otorgó.",
        "wallet_title": "Cartera",
        "wallet_heading": "Sus insignias",
        "wallet_pathways": "Sus itinerarios",
        "wallet_badges": "Sus insignias",
        "pw_complete": "Completado",
        "pw_earned": "Obtuvo la credencial final{name}",
        "pw_see_below": "véala más abajo",
        "pw_final_review": "Revisión final",
        "pw_final_review_text": "Todas las etapas están hechas: un revisor examina su "
                                "itinerario antes de otorgar la credencial final{name}.",
        "pw_progress": "{done} de {total} etapas hechas",
        "pw_earns": "; al completarlo obtiene «{name}»",
        "pw_done": "Hecha",
        "pw_open": "Abierta",
        "pw_locked": "Bloqueada",
        "pw_any_of": "{count} cualquiera de",
        "pw_unlocks_after": "(se desbloquea tras la etapa {steps})",
        "pw_unlocks_after_many": "(se desbloquea tras las etapas {steps})",
        "pw_and": "y",
        "pw_next": "Siguiente:",
        "pw_step": "etapa {number}, {title}",
        "pw_find": "Búsquela en el catálogo",
        "wallet_elsewhere": "De otros emisores",
        "wallet_elsewhere_intro": "Insignias que otros emisores le otorgaron, guardadas aquí por "
                                  "un servicio de insignias que usted conectó. Comprobamos cada "
                                  "una antes de guardarla.",
        "wallet_connections": "Aplicaciones conectadas",
        "wallet_connections_intro": "Servicios de insignias a los que permitió acceder a sus "
                                    "insignias mediante la API de Open Badges.",
        "wallet_allowed": "permitido el {date}",
        "wallet_disconnect": "Desconectar",
        "wallet_intro": "Todas las insignias que ha obtenido. Cada descarga lleva la "
                        "credencial firmada, así que cualquier verificador de Open Badges 3.0 "
                        "puede comprobarla.",
        "wallet_issued": "emitida el {date}",
        "wallet_valid_until": "válida hasta el {date}",
        "wallet_revoked": "Revocada",
        "wallet_suspended": "Suspendida",
        "wallet_expired": "Vencida",
        "wallet_still_genuine": "sigue siendo un registro auténtico",
        "wallet_expires_in": "Vence en {days} días",
        "wallet_renew": "Renovar",
        "wallet_expired_on": "Esta insignia venció el {date}.",
        "wallet_expires_on": "Esta insignia vence el {date}.",
        "wallet_renew_text": "Renuévela presentando evidencias nuevas: cuando un revisor las "
                             "apruebe, recibirá una insignia nueva que remite a esta.",
        "wallet_renewing": "Renovación en curso:",
        "wallet_continue": "continúe con sus evidencias",
        "wallet_for": "de {name}",
        "wallet_renewed": "Renovada",
        "wallet_renewed_text": "Una insignia más reciente de su cartera renueva esta.",
        "wallet_renew_from": "Puede renovar esta insignia a partir del {date}, {days} días "
                             "antes de que venza.",
        "wallet_download": "Descargar",
        "wallet_withheld_revoked": "No se ofrece certificado, imagen de la insignia ni entrada "
                                   "de LinkedIn para una insignia revocada. El archivo de la "
                                   "credencial sigue mostrando su estado a cualquier "
                                   "verificador.",
        "wallet_withheld_suspended": "No se ofrece certificado, imagen de la insignia ni "
                                     "entrada de LinkedIn para una insignia suspendida hasta "
                                     "que se levante la suspensión. El archivo de la "
                                     "credencial sigue mostrando su estado a cualquier "
                                     "verificador.",
        "wallet_png": "Imagen de la insignia con la credencial (PNG)",
        "wallet_svg": "Imagen de la insignia (SVG)",
        "wallet_pdf": "Certificado (PDF)",
        "wallet_json": "Credencial (JSON)",
        "wallet_jwt": "Credencial (JWT)",
        "wallet_claim": "Guardar en una cartera digital",
        "wallet_share": "Compartir",
        "wallet_share_text": "Cualquier persona con este enlace puede ver y comprobar la "
                             "insignia:",
        "wallet_linkedin": "Añadir al perfil de LinkedIn",
        "wallet_new_tab": "(abre LinkedIn en una pestaña nueva)",
        "wallet_share_off": "Desactivar el enlace para compartir",
        "wallet_share_is_off": "El enlace para compartir está desactivado: nadie puede "
                               "abrirlo. Las descargas de arriba siguen funcionando para "
                               "usted.",
        "wallet_share_on": "Activar el enlace para compartir",
        "wallet_none": "Todavía no tiene insignias.",
        "wallet_browse": "Explore las microcredenciales",
        "wallet_first": "para obtener la primera.",
        "wallet_clr_heading": "Su registro del aprendiz (CLR)",
        "wallet_clr_intro": "Un solo archivo que un centro que contrata puede comprobar de "
                            "una vez: un registro completo del aprendiz (CLR 2.0) firmado por "
                            "{issuer}, con las insignias que usted elija, cada una con su "
                            "propia firma, y cómo encajan las insignias de su itinerario.",
        "wallet_clr_choose": "Insignias de {issuer} que incluir",
        "wallet_clr_cannot": "Las insignias revocadas, suspendidas, caducadas o en JWT no "
                             "pueden ir en un registro.",
        "wallet_clr_button": "Descargar mi registro del aprendiz (CLR)",
        "wallet_clr_none_chosen": "Elija al menos una insignia para su registro del aprendiz.",
        "wallet_clr_file": "Registro del aprendiz de {issuer}",
        "subs_title": "Mis evidencias",
        "subs_table": "Sus entregas (tabla)",
        "subs_caption": "Sus entregas",
        "col_achievement": "Microcredencial",
        "col_status": "Estado",
        "col_round": "Ronda",
        "col_changed": "Último cambio",
        "col_teacher": "Docente",
        "col_school": "Escuela",
        "col_step": "Etapa",
        "queue_pathways": "Itinerarios: en qué punto está cada docente",
        "col_waiting": "En espera desde",
        "pill_renewal": "Renovación",
        "pill_resubmitted": "Reenviada",
        "subs_none": "Todavía no ha empezado ninguna entrega.",
        "queue_title": "Cola de revisión",
        "queue_intro": "Entregas que esperan una decisión, de la más antigua a la más reciente.",
        "queue_filter": "Filtrar la cola",
        "queue_all_schools": "Todas las escuelas",
        "queue_all_achievements": "Todas las microcredenciales",
        "queue_filter_button": "Filtrar",
        "queue_table": "Entregas en espera (tabla)",
        "queue_count": "{count} en espera",
        "queue_conflict": "Decide otro revisor",
        "queue_days": "{days} d",
        "queue_none": "No hay nada en espera.",
        "queue_none_filtered": "No hay nada en espera con estos filtros.",
        "dash_title": "panel",
        "dash_show": "Mostrar",
        "dash_authoring": "Microcredenciales: crear, editar, publicar",
        "dash_people": "Personas, invitaciones y mentoría",
        "dash_credentials": "Credenciales: revocar o suspender",
        "dash_art": "Imagen de las insignias",
        "dash_audit": "Registro de auditoría",
        "dash_partners": "Socios y avales",
        "dash_pathways": "Itinerarios: progreso y credenciales finales",
        "dash_flagged": "{count} credenciales finales marcadas:",
        "dash_flagged_one": "{count} credencial final marcada:",
        "dash_flagged_why": "se revocó una credencial que la compone.",
        "dash_flagged_decide": "Decidir si mantenerlas o revocarlas",
        "dash_export": "Descargar todas las entregas (CSV)",
        "dash_sent": "entregas enviadas",
        "dash_waiting": "en espera de revisión",
        "dash_awarded": "insignias otorgadas y vigentes",
        "dash_revoked_more": "({count} revocadas además)",
        "dash_median": "mediana del tiempo de revisión",
        "dash_mean": "(media {hours} h)",
        "chart_numbers": "Mostrar las cifras",
        "chart_table": "{title} (tabla)",
        "chart_none": "Todavía no hay datos.",
        "chart_chart-status": "Entregas por estado",
        "chart_chart-review": "Mediana del tiempo de revisión por escuela",
        "chart_chart-school": "Insignias otorgadas por escuela",
        "chart_chart-achievement": "Insignias otorgadas por microcredencial",
        "unit_submissions": "entregas",
        "unit_hours": "horas",
        "unit_badges": "insignias",
        "chart_chart-steps": "Docentes que completaron cada etapa",
        "chart_chart-gaps": "Mediana de días desde la etapa anterior",
        "unit_teachers": "docentes",
        "unit_days": "días",
        "submission_draft": "Borrador",
        "submission_submitted": "En espera de revisión",
        "submission_returned": "Devuelta para revisar",
        "submission_approved": "Aprobada",
        "submission_declined": "Rechazada",
        "blocker_not_in_scope": "Solo un revisor de esta escuela o distrito puede decidir "
                                "sobre esta entrega.",
        "blocker_own_submission": "No puede revisar su propia entrega.",
        "summary_problem": "Hay un problema",
        "ev_file": "Archivo",
        "ev_bytes": "{n} bytes",
        "ev_link": "Enlace",
        "ev_reflection": "Reflexión escrita",
        "ev_student": "Contiene datos de alumnos",
        "ev_shared": "Compartida en la insignia",
        "ev_download": "Descargar {name}",
        "ev_new_tab": "(se abre en una pestaña nueva)",
        "hist_created": "Iniciada",
        "hist_submitted": "Enviada",
        "hist_resubmitted": "Reenviada",
        "hist_approved": "Aprobada",
        "hist_returned": "Devuelta para revisar",
        "hist_declined": "Rechazada",
        "hist_round": "(ronda {round})",
        "hist_pieces_1": "1 evidencia",
        "hist_pieces": "{n} evidencias",
        "hist_reflections_1": "y 1 reflexión sobre la rúbrica",
        "hist_reflections": "y {n} reflexiones sobre la rúbrica",
        "rev_round": "Ronda {round}: {decision}",
        "sub_title": "{name}: sus evidencias",
        "sub_round": "ronda {round}",
        "sub_version": "versión {version} de esta microcredencial",
        "sub_reviewed_version": "revisada según la versión {version} de esta microcredencial",
        "sub_renewal": "Renovación de su insignia emitida el {date}",
        "sub_renewal_until": "(válida hasta el {date})",
        "sub_renewal_text": "presente evidencias nuevas; la aprobación emite una insignia nueva "
                            "que remite a ella.",
        "sub_feedback_from": "Comentarios de {name}",
        "sub_revise": "Revise sus evidencias abajo y vuelva a enviarlas. Todo lo que tenía sigue "
                      "aquí.",
        "sub_approved": "Aprobada",
        "sub_approved_text": "Su insignia está en su {wallet}, con descargas y un enlace para "
                             "compartir.",
        "sub_wallet": "cartera",
        "sub_with_reviewers": "Con los revisores",
        "sub_with_reviewers_text": "Sus evidencias esperan a un revisor. Recibirá un correo "
                                   "electrónico cuando decida.",
        "sub_declined": "Rechazada",
        "sub_evidence": "Evidencias ({count})",
        "sub_remove": "Quitar",
        "sub_no_evidence": "Todavía no hay evidencias. Añada archivos, enlaces o notas escritas "
                           "abajo; cada una se guarda en cuanto la añade.",
        "sub_add": "Añadir evidencias",
        "sub_add_hint": "Cada evidencia se guarda en cuanto la añade. Los archivos son privados: "
                        "solo usted y los revisores de su distrito pueden abrirlos. Marque "
                        "\"contiene datos de alumnos\" en todo lo que tenga nombres, trabajos o "
                        "imágenes de alumnos; nunca se incluye en la insignia.",
        "sub_a_file": "Un archivo",
        "sub_title_label": "Título",
        "sub_optional": "(opcional)",
        "sub_file_hint": "{accepted}; como máximo {size}.",
        "sub_mention": "Mencionarlo en la insignia (solo su título; el archivo sigue siendo "
                       "privado)",
        "sub_upload": "Subir archivo",
        "sub_a_link": "Un enlace",
        "sub_web_address": "Dirección web",
        "sub_note": "Nota",
        "sub_share_link": "Compartir este enlace en la insignia",
        "sub_add_link": "Añadir enlace",
        "sub_a_note": "Una nota o reflexión escrita",
        "sub_text": "Texto",
        "sub_share_text": "Compartir este texto en la insignia",
        "sub_add_note": "Añadir nota",
        "sub_reflections_and_submit": "Reflexiones y envío",
        "sub_submit_heading": "Enviar",
        "sub_reflection": "Reflexión: {name}",
        "sub_reflection_hint": "¿Cómo lo muestran sus evidencias? Los niveles de la rúbrica "
                               "están junto al formulario.",
        "sub_submit_hint": "Al enviar, sus evidencias llegan a un revisor.",
        "sub_history_kept": "La ronda anterior y sus comentarios quedan en el historial.",
        "sub_save": "Guardar borrador",
        "sub_resubmit": "Volver a enviar para revisión",
        "sub_submit": "Enviar para revisión",
        "sub_reflections": "Reflexiones",
        "sub_rubric": "Rúbrica",
        "sub_reviews": "Revisiones",
        "sub_history": "Historial",
        "rv_title": "Revisión: {name}, {achievement}",
        "rv_version": "Revisada según la versión {version} de esta microcredencial",
        "rv_newer": "(se ha editado desde entonces: existe una versión más reciente, y esta "
                    "entrega se juzga según el texto de abajo)",
        "rv_required": "Deben aprobarla {required} revisores; {approvals} hasta ahora.",
        "rv_renewal": "Renovación",
        "rv_renewing": "{name} renueva la insignia emitida el {issued}, que vence el {until}.",
        "rv_renewing_expired": "{name} renueva la insignia emitida el {issued}, que venció el "
                               "{until}.",
        "rv_no_date": "sin fecha",
        "rv_renew_judge": "Juzgue las evidencias nuevas como para una primera concesión; al "
                          "aprobar se emite una insignia nueva cuyas evidencias nombran esta.",
        "rv_renews": "Renueva la credencial",
        "rv_revoked_since": "Revocada desde",
        "rv_evidence": "Evidencias",
        "rv_student": "Algunas evidencias contienen datos de alumnos. Trátelas según las normas "
                      "de privacidad de los alumnos del distrito (FERPA): no las copie ni las "
                      "reenvíe.",
        "rv_no_evidence": "No hay evidencias.",
        "rv_earlier": "Rondas anteriores",
        "rv_decide": "Rúbrica y decisión",
        "rv_not_waiting": "Esta entrega no espera una decisión ({status}).",
        "rv_cannot": "No puede decidir sobre esta entrega.",
        "rv_no_rubric": "Sin rúbrica: juzgue las evidencias según los criterios.",
        "rv_feedback": "Comentarios para el docente",
        "rv_feedback_hint": "Obligatorios para devolver o rechazar. Diga qué está bien y qué "
                            "revisar.",
        "rv_approve": "Aprobar y otorgar la insignia",
        "rv_return": "Devolver para revisar",
        "rv_decline": "Rechazar",
        "prof_website": "Sitio web",
        "prof_email": "Correo electrónico",
        "prof_part_of": "Forma parte de",
        "prof_keys": "Claves publicadas",
        "prof_did": "Documento DID",
        "prof_none": "Todavía no hay ninguna publicada.",
        "cd_criteria": "Criterios",
        "cd_effort": "Dedicación estimada",
        "cd_hours": "{hours} horas",
        "cd_valid_for": "Validez",
        "cd_years": "{years} años; después se renueva",
        "cd_competencies": "Competencias",
        "cd_earn": "Obtenerla",
        "cd_have": "Tiene una entrega para esta microcredencial:",
        "cd_open": "Abrir su entrega",
        "cd_for": "Entrega en nombre de",
        "cd_start": "Empezar una entrega",
        "cd_not_offered": "Esta microcredencial no se ofrece a su escuela.",
        "cd_reflection_asked": "Se pide una reflexión",
        "cd_levels": "Niveles de {name}",
        "cd_level": "Nivel",
        "cd_looks_like": "Cómo se ve",
        "cd_no_rubric": "Sin rúbrica: el revisor juzga las evidencias según los criterios.",
        "cat_title": "Microcredenciales",
        "cat_intro": "Obtenga una microcredencial mostrando evidencias de su práctica. Un "
                     "revisor las evalúa con la rúbrica y le da su opinión; la aprobación "
                     "otorga una insignia firmada que puede compartir.",
        "cat_pathways": "Itinerarios",
        "cat_pathway": "Itinerario",
        "cat_hours": "Unas {hours} horas",
        "cat_none": "Todavía no se le ofrece ninguna microcredencial.",
        "signin_intro": "Docentes, revisores y personal del distrito inician sesión para "
                        "obtener, revisar y otorgar microcredenciales.",
        "signin_email": "Correo electrónico",
        "signin_password": "Contraseña",
        "signin_forgot": "¿Olvidó su contraseña?",
        "signin_no_account": "¿No tiene cuenta? El administrador de su distrito envía una "
                             "invitación por correo electrónico.",
        "blocker_mentor": "Usted es mentor de este docente, y el distrito pide que otro "
                          "revisor decida sobre sus entregas.",
        # --- i19e ---
        "claim_title": "Guardar {name} en una cartera digital",
        "claim_intro": "Escanee este código con una aplicación de cartera OpenID4VCI, o abra el "
                       "enlace en el dispositivo que tiene la cartera. La cartera recibe su "
                       "propia copia de esta insignia, vinculada a su clave; este distrito "
                       "conserva el registro original, y revocar la insignia revoca también la "
                       "copia.",
        "claim_open": "Abrir en una aplicación de cartera",
        "claim_code_asked": "Su cartera le pedirá un código de 6 dígitos.",
        "claim_code_sent": "Lo enviamos a {email}: su distrito lo pide para que nadie que vea "
                           "esta pantalla pueda obtener la insignia.",
        "claim_once": "Esta oferta sirve una sola vez y caduca el {when} UTC. Si caduca, pida "
                      "otra desde la página de su cartera.",
        "claim_link": "El enlace de la oferta",
        "claim_lcw_before": "Escanee este código con la ",
        "claim_lcw_after": ", o abra el enlace en el teléfono que la tiene: la cartera demuestra "
                           "que controla su clave y recibe su propia copia de la insignia. La "
                           "misma oferta sirve una sola vez, sea cual sea la cartera que la "
                           "use.",
        "claim_lcw_open": "Abrir en Learner Credential Wallet",
        "claim_lcw_older": "Para versiones anteriores de Learner Credential Wallet",
        "claim_lcw_older_link": "Abrir con el enlace anterior",
        "claim_lcw_no_code": "Learner Credential Wallet no puede pedir el código enviado por "
                             "correo, así que la regla de su distrito la deja fuera: use una "
                             "cartera OpenID4VCI.",
        "wauth_title": "Enviar una insignia a una aplicación de cartera",
        "wauth_asks_before": "La aplicación de cartera ",
        "wauth_asks_middle": " pide una de sus insignias. Si lo permite, volverá a ",
        "wauth_asks_after": " y la cartera recibirá su propia copia de la insignia, vinculada a "
                            "su clave. Este distrito conserva el registro original; revocar la "
                            "insignia revoca también la copia.",
        "wauth_which": "¿Qué insignia?",
        "wauth_issued": "{issuer}, emitida el {day}",
        "wauth_none": "No tiene ninguna insignia que se pueda guardar en una cartera (las "
                      "revocadas y las suspendidas no se pueden).",
        "wauth_back": "Volver a la aplicación de cartera",
        "wauth_too_many": "Demasiadas solicitudes desde esta dirección. Espere unos minutos y "
                          "vuelva a intentarlo desde su aplicación de cartera.",
        "consent_allow": "Permitir",
        "consent_deny": "No permitir",
        "obc_title": "¿Permitir a {client}?",
        "obc_heading": "¿Permitir que {client} use sus insignias?",
        "obc_asks": " pide conectarse a sus insignias aquí. Si lo permite, podrá:",
        "obc_back_before": "Después de responder, volverá a ",
        "obc_cannot": "No puede ver sus evidencias, sus revisiones ni su contraseña. Puede "
                      "desconectarla en cualquier momento desde su cartera.",
        "obc_read_before": "Lea sus ",
        "obc_terms": "condiciones",
        "obc_and": " y su ",
        "obc_privacy": "política de privacidad",
        "obapi_scope_credential_readonly": "Leer sus insignias (las credenciales que obtuvo "
                                           "aquí y las que se guardan para usted)",
        "obapi_scope_credential_upsert": "Añadir o actualizar insignias en su cartera",
        "obapi_scope_profile_readonly": "Leer su perfil (su nombre y su dirección de correo "
                                        "electrónico)",
        "obapi_scope_profile_update": "Cambiar el nombre de su perfil",
        "obt_title": "API de Open Badges: condiciones y privacidad",
        "obt_intro": "Los servicios de insignias y las carteras que usan la API Open Badges 3.0 "
                     "de 1EdTech pueden conectarse aquí a las insignias de un docente, pero solo "
                     "después de que el docente inicie sesión y lo permita. Un servicio solo ve "
                     "lo que el docente permitió:",
        "obt_privacy": "Privacidad",
        "obt_privacy_text": "Guardamos en el registro de auditoría del distrito qué servicio "
                            "recibió permiso, cuándo y para qué. Los servicios nunca reciben "
                            "evidencias, revisiones ni contraseñas. Las credenciales que un "
                            "servicio guarda para un docente se comprueban antes de conservarlas "
                            "y solo se muestran a ese docente.",
        # --- i18d ---
        "adm_rv_permanent": "La revocación no se puede deshacer.",
        "adm_rv_permanent_more": "Una credencial revocada aparece como revocada ante cualquier "
                                 "verificador a partir de ahora; para que deje de contar solo "
                                 "por un tiempo, suspéndala.",
        "adm_rv_reason": "Motivo de la revocación",
        "adm_rv_reason_hint": "Obligatorio. Se guarda en el registro de auditoría del distrito.",
        "adm_rv_public": "Publicar este motivo en la página pública de la credencial",
        "adm_rv_confirm": "Entiendo que la revocación no se puede deshacer",
        "adm_dashboard": "panel",
        "adm_organization": "Organización",
        "adm_search": "Buscar",
        "adm_status": "Estado",
        "adm_teacher": "Docente",
        "adm_microcredential": "Microcredencial",
        "adm_issued": "Emitida",
        "adm_issued_by": "Emitida por",
        "adm_expires": "Vence",
        "adm_actions": "Acciones",
        "adm_never": "Nunca",
        "adm_since": "desde el",
        "adm_on": "el",
        "adm_reason": "Motivo",
        "adm_public": "público",
        "adm_not_public": "no público",
        "adm_note": "Nota",
        "adm_suspend": "Suspender",
        "adm_unsuspend": "Reactivar",
        "adm_revoke": "Revocar",
        "adm_pages": "Páginas",
        "adm_prev_page": "Página anterior",
        "adm_next_page": "Página siguiente",
        "adm_page_of": "Página {number} de {pages}",
        "adm_state_active": "Activa",
        "adm_state_suspended": "Suspendida",
        "adm_state_revoked": "Revocada",
        "adm_state_expired": "Vencida",
        "adm_cr_title": "Credenciales",
        "adm_cr_intro": "Todas las insignias que emitieron {org} y sus escuelas, de la más "
                        "reciente a la más antigua. Abra una para suspenderla o revocarla.",
        "adm_cr_search_label": "Buscar en las credenciales",
        "adm_cr_q_hint": "Nombre o correo del docente, microcredencial o id de la credencial",
        "adm_cr_any_status": "Cualquier estado",
        "adm_cr_bulk_link": "Revocar muchas credenciales pegando sus ids",
        "adm_cr_table": "Credenciales (tabla)",
        "adm_cr_count_one": "{count} credencial",
        "adm_cr_count": "{count} credenciales",
        "adm_cr_found_one": "encontrada",
        "adm_cr_found": "encontradas",
        "adm_cr_select": "Seleccionar para revocar",
        "adm_cr_select_one": "Seleccionar",
        "adm_cr_none_permanent": "Ninguna: la revocación es definitiva",
        "adm_cr_bulk_ticked": "Revocar las credenciales marcadas",
        "adm_cr_bulk_hint": "Marque credenciales en la tabla de arriba (en esta página) y dé un "
                            "único motivo para todas.",
        "adm_cr_none_match": "Ninguna credencial coincide con esta búsqueda.",
        "adm_cr_none_yet": "Todavía no hay credenciales.",
        "adm_c_flagged": "Marcada para decidir:",
        "adm_c_flagged_why": "es la credencial final del itinerario «{pathway}» y su {reason}. "
                             "No se cambió nada:",
        "adm_c_keep_or_revoke": "mantenerla o revocarla",
        "adm_c_none_given": "No se indicó",
        "adm_c_reason_shown": "se muestra en la página pública",
        "adm_c_suspension_note": "Nota de la suspensión",
        "adm_c_id": "Id de la credencial",
        "adm_c_public_page": "Página pública",
        "adm_c_revoked": "Esta credencial está revocada. La revocación es definitiva: no queda "
                         "nada por hacer.",
        "adm_c_suspended_now": "Los verificadores leen esta credencial como suspendida. "
                               "Reactívela cuando deba volver a contar.",
        "adm_c_unsuspend": "Reactivar esta credencial",
        "adm_c_not_suspendable": "Esta credencial no se puede suspender, solo revocar: se emitió "
                                 "cuando la suspensión estaba desactivada para su emisor. La "
                                 "suspensión está desactivada por defecto porque da a cada "
                                 "credencial una segunda entrada de estado, que el esquema JSON "
                                 "de Open Badges 3.0 (y los validadores basados en él) rechazan. "
                                 "Un distrito puede activarla para las credenciales nuevas con",
        "adm_c_suspend_intro": "Los verificadores leen una credencial suspendida como suspendida "
                               "hasta que usted la reactive, por ejemplo mientras se estudia "
                               "una queja.",
        "adm_c_note_optional": "Nota (opcional)",
        "adm_c_note_hint": "Solo para los registros del distrito; nunca se muestra en público.",
        "adm_c_suspend": "Suspender esta credencial",
        "adm_c_revoke": "Revocar esta credencial",
        "adm_bk_title": "Revocar muchas credenciales",
        "adm_bk_revoked_of": "Revocadas {done} de {asked}",
        "adm_bk_not_found": "No encontradas, o no emitidas por {org} ni sus escuelas",
        "adm_bk_already": "Ya revocadas, se dejaron como estaban",
        "adm_bk_duplicates": "La misma credencial repetida, contada una vez",
        "adm_bk_failed": "No revocadas",
        "adm_bk_form": "Credenciales que revocar",
        "adm_and_schools": "{org} y sus escuelas",
        "adm_bk_ids": "Ids de las credenciales, uno por línea",
        "adm_bk_ids_hint1": "El id",
        "adm_bk_ids_hint2": "o solo la parte que sigue a",
        "adm_bk_ids_hint3": "Hasta 10 000 a la vez.",
        "adm_bk_submit": "Revocar estas credenciales",
        "adm_msg_confirm": "Marque la casilla para confirmar que entiende que la revocación no "
                           "se puede deshacer.",
        "adm_msg_reason": "Indique un motivo para la revocación: no se revocó nada.",
        "adm_msg_already_revoked": "Esta credencial ya está revocada; la revocación no se puede "
                                   "deshacer.",
        "adm_msg_already_suspended": "Esta credencial ya está suspendida.",
        "adm_msg_not_suspended": "Esta credencial no está suspendida.",
        "adm_msg_reason_shown": "El motivo se muestra en su página pública.",
        "adm_msg_revoked": "Se revocó la credencial {achievement} de {name}.{shown} Los "
                           "verificadores ven el cambio en menos de cinco minutos.",
        "adm_msg_suspended": "Se suspendió la credencial {achievement} de {name}. Los "
                             "verificadores ven el cambio en menos de cinco minutos.",
        "adm_msg_active": "La credencial {achievement} de {name} vuelve a estar activa. Los "
                          "verificadores ven el cambio en menos de cinco minutos.",
        "adm_msg_no_ids": "Pegue al menos un id de credencial, o marque credenciales en la lista.",
        "adm_msg_too_many": "Como máximo {most} ids a la vez: no se revocó nada.",
        "adm_msg_reason_bulk": "Indique un motivo para la revocación: no se revocó nada.",
        "adm_msg_nothing_revoked": "No se revocó nada.",
        # --- i20g ---
        "pa_title": "Itinerarios",
        "pa_breadcrumb": "{org}: itinerarios",
        "pa_show": "Mostrar",
        "pa_flags_title": "Credenciales finales por decidir",
        "pa_flags_intro": "Se revocó una credencial que forma parte de estas credenciales "
                          "finales. No se cambió nada: mantenga la credencial final o revóquela.",
        "pa_flagged_on": "marcada el {day}",
        "pa_capstone_credential": "La credencial final",
        "pa_keep": "Mantener",
        "pa_revoke": "Revocar",
        "pa_capstone_of": "la credencial final de {name}",
        "pa_new": "Nuevo itinerario",
        "pa_count_one": "{org}: {count} itinerario",
        "pa_count": "{org}: {count} itinerarios",
        "pa_col_pathway": "Itinerario",
        "pa_col_steps": "Etapas",
        "pa_col_awarded_by": "Credencial final otorgada por",
        "pa_col_completed": "Completado",
        "pa_by_review": "revisión final",
        "pa_by_completion": "finalización",
        "pa_archived": "Archivado",
        "pa_none": "Todavía no hay itinerarios.",
        "pa_capstone_label": "Credencial final:",
        "pa_capstone_none": "ninguna",
        "pa_awarded_review": "otorgada tras una revisión final.",
        "pa_awarded_auto": "otorgada automáticamente al completar la última etapa.",
        "pa_completed_stat": "docentes completaron el itinerario",
        "pa_download_csv": "Descargar las cifras de la cohorte (CSV)",
        "pa_archive": "Archivar este itinerario",
        "pa_edit": "Editar este itinerario",
        "pa_step_label": "Etapa {number}: {title}",
        "pa_new_title": "Nuevo itinerario",
        "pa_edit_title": "Editar «{name}»",
        "pa_problems_one": "{count} problema por corregir: no se guardó nada",
        "pa_problems": "{count} problemas por corregir: no se guardó nada",
        "pa_a_problem": "Hay un problema",
        "pa_goal": "El objetivo",
        "pa_name": "Nombre",
        "pa_required": "(obligatorio)",
        "pa_slug": "Nombre corto para los enlaces",
        "pa_slug_hint": "Minúsculas, cifras y guiones, p. ej. edtech-coach.",
        "pa_slug_fixed": "El nombre corto identifica el itinerario: no puede cambiar.",
        "pa_description": "Descripción",
        "pa_capstone": "Credencial final: la microcredencial que se otorga al completar todas "
                       "las etapas",
        "pa_capstone_fixed_one": "Ya se emitió {count} credencial final: la credencial final ya "
                                 "no puede cambiar.",
        "pa_capstone_fixed": "Ya se emitieron {count} credenciales finales: la credencial final "
                             "ya no puede cambiar.",
        "pa_choose": "Elija…",
        "pa_how_awarded": "Cómo se otorga la credencial final",
        "pa_auto": "Automáticamente, al completar la última etapa",
        "pa_review": "Tras una revisión final de un revisor",
        "pa_steps": "Etapas",
        "pa_steps_hint": "Hasta {slots} etapas, en orden; deje vacías las que no necesite. Una "
                         "etapa con una sola microcredencial es obligatoria; con varias, indique "
                         "cuántas hay que obtener («1 cualquiera de estas 2»). «Se desbloquea "
                         "tras» enumera las etapas anteriores que deben estar hechas antes.",
        "pa_step": "Etapa {number}",
        "pa_step_title": "Título de la etapa {number}",
        "pa_step_credentials": "Microcredenciales de la etapa {number}",
        "pa_step_choose": "Etapa {number}: cuántas obtener",
        "pa_step_choose_hint": "Solo para una etapa con varias microcredenciales.",
        "pa_step_after": "Etapa {number}: se desbloquea tras las etapas",
        "pa_step_after_hint": "Números de etapa separados por comas, p. ej. 1, 2. Vacío: abierta "
                              "desde el principio.",
        "pa_save": "Guardar el itinerario",
        "pa_save_edit": "Guardar los cambios",
        "pa_edit_note": "Los docentes en curso se miden con las nuevas etapas en cuanto guarde: "
                        "las insignias que tienen cuentan para las nuevas etapas, y quien "
                        "termine con el cambio completa el itinerario. Quienes ya lo "
                        "completaron conservan su credencial final.",
        "pa_saved": "Itinerario guardado: {name}.",
        "pa_saved_edit": "Cambios guardados: {name}.",
        "pa_completed_now_one": "{count} docente completó el itinerario con las nuevas etapas.",
        "pa_completed_now": "{count} docentes completaron el itinerario con las nuevas etapas.",
        "pa_archived_msg": "Archivado: {name}.",
        "pa_kept_msg": "Se mantuvo la credencial final.",
        "pa_revoked_msg": "Se revocó la credencial final.",
        "pa_archived_no_edit": "«{name}» está archivado: un itinerario archivado no se puede "
                               "editar.",
        "rv_pw_title": "Revisión final del itinerario «{name}»",
        "rv_pw_text": "{name} completó todas las etapas. Al aprobar se emite esta credencial "
                      "final, que nombra estas credenciales como su evidencia:",
        "rv_pw_issued": "{name}, emitida el {day}",
        "pw_quoted": "«{name}»",
        # --- es2 ---
        "acct_forgot_sent": "Si existe una cuenta con esa dirección, le enviamos un enlace. El "
                            "enlace sirve una sola vez, durante {minutes} minutos.",
        "acct_forgot_nothing": "¿No le llegó nada después de unos minutos? Revise su carpeta de "
                               "correo no deseado o consulte al administrador de su distrito.",
        "acct_back_sign_in": "Volver a iniciar sesión",
        "acct_forgot_intro": "Escriba el correo electrónico con el que inicia sesión. Si tiene "
                             "una cuenta, le enviaremos un enlace para elegir una contraseña "
                             "nueva.",
        "acct_send_link": "Enviarme un enlace",
        "acct_inv_title": "Invitación",
        "acct_inv_join": "Únase a {org}",
        "acct_inv_as_before": "Se le invita como ",
        "acct_inv_as_middle": " con la dirección ",
        "acct_inv_as_after": ".",
        "acct_inv_add_roles": "Acepte para añadir estos roles a su cuenta.",
        "acct_inv_existing_before": "Esta dirección ya tiene una cuenta. ",
        "acct_inv_sign_in": "Inicie sesión",
        "acct_inv_existing_after": " primero y luego vuelva a abrir el enlace.",
        "acct_inv_name": "Su nombre, tal como debe aparecer en sus insignias",
        "acct_choose_password": "Elija una contraseña",
        "acct_password_hint": "Al menos 10 caracteres. Una frase corta es fácil de recordar y "
                              "difícil de adivinar.",
        "acct_inv_accept": "Aceptar la invitación",
        "acct_link_invalid_title": "Enlace no válido",
        "acct_link_invalid": "Este enlace ya no funciona",
        "acct_new_link": "Pedir un enlace nuevo",
        "acct_new_password_title": "Elija una contraseña nueva",
        "acct_reset_for_before": "Para la cuenta de ",
        "acct_reset_for_after": ". La contraseña anterior deja de servir para iniciar sesión en "
                                "cualquier otro lugar.",
        "acct_new_password": "Contraseña nueva",
        "acct_save_password": "Guardar la contraseña nueva",
        "acct_start_title": "Inicio",
        "acct_hello": "Hola, {name}",
        "acct_signed_in_as": "Ha iniciado sesión como {roles}.",
        "acct_your_evidence": "Sus evidencias",
        "acct_your_wallet": "Su cartera de insignias",
        "acct_review": "Revisión",
        "acct_waiting_one": "entrega en espera de una decisión.",
        "acct_waiting": "entregas en espera de una decisión.",
        "acct_open_queue": "Abrir la cola de revisión",
        "acct_district_text": "El progreso de las escuelas, las personas y las invitaciones.",
        "acct_open_dashboard": "Abrir el panel",
        "acct_people_link": "Personas e invitaciones",
        "acct_signed_out": "Ha cerrado la sesión.",
        "acct_welcome": "Le damos la bienvenida, {name}: su cuenta está lista.",
        "acct_password_changed": "Se cambió su contraseña. Inicie sesión con su contraseña nueva.",
        "acct_sign_in_wrong": "El correo electrónico o la contraseña no son correctos.",
        "role_admin": "Administrador del distrito",
        "role_reviewer": "Revisor / mentor",
        "role_earner": "Docente",
        "ppl_title": "Personas",
        "ppl_members": "Miembros ({count})",
        "ppl_members_table": "Miembros (tabla)",
        "ppl_roles": "Roles",
        "ppl_open": "Invitaciones pendientes",
        "ppl_until": "(hasta el {date})",
        "ppl_invite": "Invitar a alguien",
        "ppl_org": "Escuela o distrito",
        "ppl_mail_lang": "Idioma del correo de invitación",
        "ppl_send": "Enviar la invitación",
        "ppl_conflict": "Conflicto de intereses",
        "ppl_mentor_rule": "Los mentores no pueden decidir sobre las entregas de los docentes de "
                           "quienes son mentores",
        "ppl_own": "Nadie puede revisar nunca su propia entrega.",
        "ppl_save_rule": "Guardar la regla",
        "ppl_mentoring": "Mentoría",
        "ppl_mentors": "{mentor} es mentor de {teacher}",
        "ppl_mentoring_pair": "la mentoría de {mentor} a {teacher}",
        "ppl_no_pairs": "Todavía no hay parejas de mentoría.",
        "ppl_mentor": "Mentor",
        "ppl_mark": "Registrar la mentoría",
        "ppl_invited": "Invitación enviada a {email}. El enlace, por si el correo no llega: "
                       "{link}",
        "ppl_mentoring_updated": "Se actualizó la mentoría.",
        "ppl_rule_on": "Ahora los mentores no pueden decidir sobre las entregas de sus "
                       "mentorados.",
        "ppl_rule_off": "Ahora los mentores pueden decidir sobre las entregas de sus mentorados.",
        "mail_invite_subject": "Invitación a las microcredenciales de {org}",
        "mail_invite_body": "Hola:\n\n{inviter} le invitó a {org} en el servicio de "
                            "microcredenciales del distrito.\n\nElija aquí su nombre y su "
                            "contraseña (el enlace sirve durante {days} días):\n\n{link}\n",
        "mail_partner_subject": "{district} invita a {partner} a avalar sus microcredenciales",
        "mail_partner_body": "Hola:\n\n{district} invitó a {partner} a avalar su programa de "
                             "microcredenciales. Elija aquí su nombre y su contraseña (el enlace "
                             "sirve durante {days} días):\n\n{link}\n",
        "mail_reset_subject": "Restablezca su contraseña de insignias",
        "mail_reset_body": "Hola, {name}:\n\nAlguien (esperamos que usted) pidió restablecer la "
                           "contraseña de su cuenta en el servicio de microcredenciales del "
                           "distrito.\n\nElija aquí una contraseña nueva (el enlace sirve una "
                           "sola vez, durante {minutes} minutos):\n\n{link}\n\nSi usted no lo "
                           "pidió, ignore este correo: su contraseña no cambia.\n",
        "mail_claim_subject": "Su código para guardar {name} en una cartera",
        "mail_claim_body": "Su aplicación de cartera le pedirá un código de transacción para "
                           "guardar {name}. El código es {code}. Sirve una sola vez, hasta las "
                           "{until}.\n\nSi usted no pidió guardar esta insignia, puede ignorar "
                           "este mensaje.",
        "prt_title": "Socios",
        "prt_intro": "Un socio (una universidad, una agencia estatal) recibe aquí su propia "
                     "identidad de emisor y sus claves, y avala sus microcredenciales o su "
                     "distrito con un aval firmado de Open Badges. Las insignias que se otorguen "
                     "después llevan los avales, y los verificadores comprueban cada uno.",
        "prt_partners": "Socios ({count})",
        "prt_since": "(desde el {date})",
        "prt_none": "Todavía no hay socios.",
        "prt_endorsements": "Avales",
        "prt_endorsed": "{partner} avaló {subject}",
        "prt_withdrawn": "retirado el {date}",
        "prt_no_endorsements": "Todavía no hay avales.",
        "prt_invite": "Invitar a un socio",
        "prt_name": "Nombre de la organización",
        "prt_slug": "Nombre corto (letras, cifras y guiones; forma parte de su dirección web)",
        "prt_url": "Sitio web (opcional)",
        "prt_email": "Correo electrónico de su administrador",
        "prt_add": "Añadir el socio y enviar la invitación",
        "prt_added": "Se añadió a {partner} y se invitó a {email}. El enlace, por si el correo "
                     "no llega: {link}",
        "prt_signed": "Aval firmado: {subject}",
        "prt_withdrawn_msg": "Aval retirado: los verificadores ahora lo leen como revocado.",
        "prt_endorse_title": "Avalar las microcredenciales de {district}",
        "prt_signs_before": "{org} firma cada aval con su propia clave (",
        "prt_its_profile": "su perfil de emisor",
        "prt_signs_after": "). Las insignias que {district} otorgue después lo llevan, y "
                           "cualquier verificador lo comprueba; al retirarlo, los verificadores "
                           "lo leen como revocado.",
        "prt_new": "Nuevo aval",
        "prt_what": "Qué avala",
        "prt_district_as_issuer": "(el distrito como emisor)",
        "prt_comment": "Su comentario",
        "prt_comment_hint": "Se muestra con el aval, p. ej. qué revisó y por qué lo avala.",
        "prt_sign": "Firmar el aval",
        "prt_yours": "Sus avales",
        "prt_withdraw": "Retirar",
        "prt_withdraw_hidden": "el aval de {subject}",
        "prt_none_yet": "Todavía ninguno.",
        "ren_title": "Renovar {name}",
        "ren_expired_on": "venció el {date}",
        "ren_revoked": "Una credencial revocada no se puede renovar.",
        "ren_suspended": "Esta insignia no se puede renovar hasta que el distrito levante la "
                         "suspensión.",
        "ren_renewed_before": "Esta insignia ya se renovó: la nueva está en su ",
        "ren_in_progress": "Ya hay una renovación de esta insignia en curso: ",
        "ren_not_yet": "Puede renovar esta insignia a partir del {date}.",
        "ren_none": "Esta insignia no vence, así que no necesita renovación.",
        "ren_text": "Al renovarla se inicia una entrega nueva para esta microcredencial. Añada "
                    "evidencias nuevas y envíelas; cuando un revisor las apruebe, recibirá una "
                    "insignia nueva que remite a esta. Esta insignia se queda en su cartera tal "
                    "como está.",
        "ren_school": "Escuela por la que presenta la entrega",
        "ren_start": "Empezar la renovación",
        "ren_started": "Se inició la renovación de {name}: añada evidencias nuevas y envíelas "
                       "para revisión.",
        "ren_share_on": "El enlace para compartir {name} está activado: cualquier persona con el "
                        "enlace puede ver y comprobar la insignia.",
        "ren_share_off": "El enlace para compartir {name} está desactivado: el enlace ya no "
                         "funciona.",
        "ren_disconnected": "{app} ya no puede acceder a sus insignias.",
        "ren_the_app": "La aplicación",
        "ae_new": "Nueva microcredencial",
        "ae_count_one": "{org}: {count} microcredencial",
        "ae_count": "{org}: {count} microcredenciales",
        "ae_version": "Versión",
        "ae_unlisted": "no aparece en el catálogo",
        "ae_status_draft": "Borrador",
        "ae_status_published": "Publicada",
        "ae_status_archived": "Archivada",
        "ae_state_draft": "borrador",
        "ae_state_published": "publicada",
        "ae_state_archived": "archivada",
        "ae_edit": "Editar",
        "ae_publish": "Publicar",
        "ae_archive": "Archivar",
        "ae_none": "Todavía no hay microcredenciales.",
        "ae_edit_title": "Editar {name}",
        "ae_breadcrumb": "{org}: microcredenciales",
        "ae_status_line": "Estado: {status} · versión {version}",
        "ae_new_version": ". Ya se otorgaron insignias (o se presentaron evidencias) con esta "
                          "versión: al guardar un cambio se crea la versión {next}, y las "
                          "insignias anteriores conservan la suya.",
        "ae_about": "Información general",
        "ae_slug_hint": "Minúsculas, cifras y guiones, p. ej. integracion-tecnologia-aula. No se "
                        "puede cambiar después.",
        "ae_kind": "Tipo de logro",
        "ae_tags": "Etiquetas",
        "ae_tags_hint": "Separadas por comas.",
        "ae_earning": "Cómo se obtiene",
        "ae_criteria_hint": "Lo que un docente debe demostrar para obtenerla.",
        "ae_evidence": "Evidencias requeridas",
        "ae_evidence_hint": "Se muestran a los docentes cuando presentan su entrega.",
        "ae_validity": "Validez (días)",
        "ae_validity_hint": "Déjelo vacío para una insignia que no vence.",
        "ae_effort": "Dedicación estimada (horas)",
        "ae_rubric_hint": "Hasta {criteria} criterios con {levels} niveles cada uno; deje vacías "
                          "las filas que no necesite. Cada nivel necesita un nombre, una "
                          "descripción y puntos.",
        "ae_rubric_name": "Nombre de la rúbrica",
        "ae_criterion": "Criterio {n}",
        "ae_criterion_name": "Nombre del criterio {n}",
        "ae_level_name": "Criterio {n}, nombre del nivel {level}",
        "ae_level_description": "Criterio {n}, descripción del nivel {level}",
        "ae_level_points": "Criterio {n}, puntos del nivel {level}",
        "ae_items": "{title} ({count} elementos)",
        "ae_import_before": "Importe un marco CASE con ",
        "ae_import_after": " para elegir aquí entre sus elementos.",
        "ae_review": "Revisión y catálogo",
        "ae_reviewers": "Revisores que deben aprobar",
        "ae_reviewers_hint": "De 1 a 5 revisores distintos.",
        "ae_mentors": "Los mentores y sus mentorados",
        "ae_conflict_district": "Seguir la regla del distrito",
        "ae_conflict_block": "Los mentores nunca deciden sobre sus mentorados",
        "ae_conflict_allow": "Los mentores pueden decidir sobre sus mentorados",
        "ae_list_it": "Mostrarla en el catálogo de los docentes una vez publicada",
        "ae_save_draft": "Guardar como borrador",
        "ae_cancel": "Cancelar",
        "ae_other": "Otras alineaciones",
        "ae_draft_saved": "Borrador guardado: {name}. Publíquelo cuando esté listo.",
        "ae_saved_version": "Guardada como versión {version}: las insignias ya otorgadas "
                            "conservan la versión con la que se emitieron.",
        "ae_saved": "Se guardaron los cambios.",
        "ae_moved_draft": "{name} es un borrador.",
        "ae_moved_published": "{name} está publicada.",
        "ae_moved_archived": "{name} está archivada.",
        "art_intro": "Cada microcredencial tiene una imagen, que se muestra en el catálogo, las "
                     "carteras, las páginas para compartir, las insignias con credencial "
                     "incorporada, los certificados y el verificador. Suba un PNG (de {min_side} "
                     "a {max_side} píxeles por lado) o un SVG, de {max_kib} KB como máximo. Los "
                     "SVG se comprueban y se limpian: se rechazan los scripts, los controladores "
                     "de eventos, el HTML incrustado y los enlaces a otros archivos. O diseñe "
                     "una con las plantillas de su distrito. Sin ninguna de las dos, se usa un "
                     "medallón de su color con el nombre de la microcredencial.",
        "art_image": "Imagen:",
        "art_uploaded": "{kind} subido el {date} por {who}",
        "art_generated": "generada automáticamente",
        "art_alt": "Texto alternativo:",
        "art_design": "Diseñar una imagen",
        "art_for": "para {name}",
        "art_the_image_for": "la imagen para {name}",
        "art_upload_new": "Subir una imagen nueva",
        "art_file": "Archivo PNG o SVG",
        "art_what": "Qué muestra la imagen",
        "art_what_hint": "Los lectores de pantalla lo leen en voz alta en lugar de la imagen, "
                         "por ejemplo «Insignia de alfabetización digital: un escudo azul con un "
                         "libro abierto».",
        "art_upload": "Subir",
        "art_use_generated": "Usar la imagen generada",
        "art_none": "{org} todavía no tiene microcredenciales.",
        "art_refused": "{name}: {problem}. No se cambió la imagen.",
        "art_now_uploaded": "{name} tiene ahora la imagen subida en todas partes: catálogo, "
                            "carteras, páginas para compartir, insignias con credencial "
                            "incorporada, certificados y verificador.",
        "art_now_designed": "{name} tiene ahora la imagen diseñada en todas partes: catálogo, "
                            "carteras, páginas para compartir, insignias con credencial "
                            "incorporada, certificados y verificador.",
        "art_generated_again": "{name} vuelve a usar la imagen generada.",
        "art_choose_file": "elija un archivo PNG o SVG para subir",
        "bd_title": "Diseñar la insignia",
        "bd_heading": "Diseñar la insignia de {name}",
        "bd_intro": "Elija una plantilla, uno de los colores de su distrito y un icono. El "
                    "nombre se dibuja en letras grandes para que se pueda leer cuando la "
                    "insignia se muestra pequeña (64 píxeles) y en los certificados impresos: "
                    "como máximo {max_lines} líneas de {max_line} letras; un nombre más largo se "
                    "muestra con sus iniciales. La vista previa es exactamente la imagen que se "
                    "guardará, comprobada como una imagen subida.",
        "bd_small_alt": "La misma insignia a 64 píxeles: {alt}",
        "bd_at_64": "a 64 píxeles",
        "bd_failed": "No se pudo dibujar la vista previa; vuelva a elegir o use el botón Vista "
                     "previa.",
        "bd_template": "Plantilla",
        "bd_shape_medallion": "Medallón",
        "bd_shape_shield": "Escudo",
        "bd_shape_hexagon": "Hexágono",
        "bd_shape_tile": "Cuadrado",
        "bd_shape_words_medallion": "círculo con un anillo blanco",
        "bd_shape_words_shield": "escudo con un borde blanco",
        "bd_shape_words_hexagon": "hexágono con un borde blanco",
        "bd_shape_words_tile": "cuadrado redondeado con un borde blanco",
        "bd_colour": "Color",
        "bd_district_colour": "Color del distrito ({colour})",
        "bd_colour_blue": "azul",
        "bd_colour_green": "verde",
        "bd_colour_purple": "morado",
        "bd_colour_rust_red": "rojo óxido",
        "bd_colour_teal": "verde azulado",
        "bd_colour_plum": "ciruela",
        "bd_icon": "Icono",
        "bd_no_icon": "Sin icono",
        "bd_icon_star": "estrella",
        "bd_icon_check": "marca de verificación",
        "bd_icon_book": "libro abierto",
        "bd_icon_bulb": "bombilla",
        "bd_icon_laptop": "computadora portátil",
        "bd_icon_people": "dos personas",
        "bd_words": "Palabras en la insignia",
        "bd_words_hint": "Déjelo vacío para usar el nombre, {name}. Las palabras cortas se ven "
                         "grandes.",
        "bd_use": "Usar este diseño",
        "bd_preview": "Vista previa",
        "aud_intro": "Quién hizo qué, y cuándo, en {org}: concesiones, revocaciones, claves, "
                     "revisiones, invitaciones. Las entradas nunca se cambian ni se borran. Las "
                     "horas están en UTC.",
        "aud_intro_district": "Quién hizo qué, y cuándo, en {org} y sus escuelas: concesiones, "
                              "revocaciones, claves, revisiones, invitaciones. Las entradas "
                              "nunca se cambian ni se borran. Las horas están en UTC.",
        "aud_filter_label": "Filtrar el registro de auditoría",
        "aud_actor": "Autor",
        "aud_actor_hint": "Parte de un correo electrónico o del nombre de un token",
        "aud_action": "Acción",
        "aud_any_action": "Cualquier acción",
        "aud_subject": "Elemento",
        "aud_anything": "Cualquiera",
        "aud_subject_id": "Id del elemento",
        "aud_subject_hint": "Parte del id de una credencial, una entrega o una clave",
        "aud_from": "Desde",
        "aud_to": "Hasta (incluido)",
        "aud_clear": "Quitar los filtros",
        "aud_download_these": "Descargar estas entradas (CSV)",
        "aud_download_all": "Descargar todo el registro (CSV)",
        "aud_count_one": "{count} entrada",
        "aud_count": "{count} entradas",
        "aud_found_one": "encontrada",
        "aud_found": "encontradas",
        "aud_page_of": "página {number} de {pages}",
        "aud_when": "Cuándo (UTC)",
        "aud_details": "Detalles",
        "aud_details_of": "de {action} {subject}",
        "aud_none_match": "Ninguna entrada coincide con estos filtros.",
        "aud_none": "Todavía no hay entradas.",
        "aud_kind_credential": "Credencial",
        "aud_kind_submission": "Entrega",
        "aud_kind_batch": "Emisión por lotes",
        "aud_kind_signing_key": "Clave de firma",
        "aud_kind_organization": "Organización",
        "aud_kind_person": "Persona",
        "aud_kind_invitation": "Invitación",
        "aud_kind_certificate_template": "Plantilla de certificado",
        "aud_kind_achievement": "Microcredencial",
        "aud_kind_endorsement": "Aval",
        "bat_title": "Emisión por lotes",
        "bat_heading": "Emisión por lotes de {org}",
        "bat_status_queued": "En cola",
        "bat_status_running": "En curso",
        "bat_status_completed": "Completada",
        "bat_status_failed": "Fallida",
        "bat_status_cancelled": "Cancelada",
        "bat_status_interrupted": "Interrumpida",
        "bat_file": "Archivo",
        "bat_rows_created": "{rows} filas, creada el {created}.",
        "bat_progress": "Progreso",
        "bat_finished": "Terminada.",
        "bat_failed": "Detenida por un error.",
        "bat_failed_text": "Reanúdela para continuar; nada se emite dos veces.",
        "bat_cancelled": "Cancelada.",
        "bat_cancelled_text": "Reanúdela para continuar.",
        "bat_interrupted": "Interrumpida.",
        "bat_interrupted_text": "El proceso que la ejecutaba se detuvo antes de terminar. "
                                "Reanúdela para emitir el resto; nada se emite dos veces.",
        "bat_stalled": "Sin progreso desde hace un rato.",
        "bat_stalled_text": "Si un proceso de trabajo se detuvo, reanude el lote.",
        "bat_done": "{percent} % hecho",
        "bat_left": ", faltan unos {minutes} min",
        "bat_issued": "Emitidas",
        "bat_skipped": "Omitidas (ya emitidas)",
        "bat_failed_rows": "Fallidas",
        "bat_pending": "Pendientes",
        "bat_rate": "Ritmo",
        "bat_per_second": "{count} concesiones por segundo",
        "bat_mails": "Correos enviados",
        "bat_updates": "Esta página se actualiza cada 2 segundos.",
        "bat_stop": "Dejar de actualizar",
        "bat_certificates": "Certificados",
        "bat_cert_intro": "Generar el certificado en PDF de cada credencial que emitió este "
                          "lote, en un solo archivo ZIP.",
        "bat_cert_made": "Certificados generados",
        "bat_cert_making": "Generando certificados:",
        "bat_cert_listing": "listando las credenciales",
        "bat_cert_done_of": "{done} de {total} hechos",
        "bat_cert_ready": "Listo:",
        "bat_cert_count": "{count} certificados ({paper}).",
        "bat_cert_download": "Descargar los certificados (ZIP)",
        "bat_cert_stopped": "La generación de los certificados se detuvo.",
        "bat_cert_stopped_text": "Vuelva a intentarlo: los certificados ya generados se "
                                 "conservan.",
        "bat_cert_failed": "No se pudieron generar",
        "bat_cert_revoked": "Omitidos (revocadas)",
        "bat_cert_suspended": "Omitidos (suspendidas)",
        "bat_paper": "Papel",
        "bat_cert_make": "Generar los certificados",
        "bat_cert_again": "Volver a generarlos",
        "bat_cert_retry": "Volver a intentarlo",
        "bat_rows_failed": "Filas que fallaron",
        "bat_rows_caption": "Por línea del archivo; corríjalas y vuelva a subir esas líneas.",
        "bat_line": "Línea",
        "bat_column": "Columna",
        "bat_more": "Y {count} más: vea el informe completo en la API o con ",
        "bat_reason_invalid_email": "La dirección de correo electrónico no es válida.",
        "bat_reason_missing_field": "Falta un valor obligatorio.",
        "bat_reason_field_too_long": "Un valor es demasiado largo.",
        "bat_reason_invalid_text": "Un valor contiene caracteres no permitidos.",
        "bat_reason_unknown_achievement": "El logro no es uno de los que ofrece este emisor.",
        "bat_reason_achievement_retired": "El logro ya no se ofrece.",
        "bat_reason_invalid_url": "El enlace de la evidencia no es un enlace http(s).",
        "bat_reason_invalid_date": "Una fecha no está escrita como AAAA-MM-DD.",
        "bat_reason_issue_date_in_future": "La fecha de emisión es futura.",
        "bat_reason_expiry_before_issue": "La fecha de vencimiento no es posterior a la de "
                                          "emisión.",
        "bat_reason_no_signing_key": "El emisor no tiene una clave de firma vigente.",
        "bat_reason_schema_invalid": "La credencial no cumpliría el esquema de Open Badges 3.0.",
        "bat_reason_undefined_term": "La credencial usaría términos no definidos.",
        "bat_reason_invalid_credential": "No se pudo construir la credencial a partir de esta "
                                         "fila.",
        "mail_received_subject": "Recibimos sus evidencias para {name}",
        "mail_submitted_body": "Hola, {teacher}:\n\nSus evidencias para «{name}» se enviaron y "
                               "esperan a un revisor. Recibirá un correo electrónico cuando "
                               "decida.\n\nSu entrega: {link}\n",
        "mail_resubmitted_body": "Hola, {teacher}:\n\nSus evidencias para «{name}» se volvieron "
                                 "a enviar y esperan a un revisor. Recibirá un correo "
                                 "electrónico cuando decida.\n\nSu entrega: {link}\n",
        "sub_sent_msg": "Sus evidencias se enviaron a los revisores. Recibirá un correo "
                        "electrónico cuando decidan.",
        "sub_draft_saved_msg": "Borrador guardado.",
        "sub_evidence_saved_msg": "Evidencia guardada.",
        "sub_evidence_removed_msg": "Evidencia quitada.",
    },
}
for _lang, _texts in _SITE_TEXT.items():
    TEXT[_lang].update(_texts)


_ES_PLACES = {
    "credential": "en la credencial",
    "issuer": "en el perfil del emisor",
    "credentialSubject.achievement": "en el logro",
    "credentialSubject.achievement.creator": "en el creador del logro",
    "subject": "junto a lo que avala",
}
_ES_UNNAMED_ENDORSER = "un avalista sin nombre"

#: Spanish fallback per (check, outcome) for codes without their own sentence.
_ES_FALLBACK = {
    "passed": "La comprobación fue correcta.",
    "failed": "La comprobación falló.",
    "warning": "La comprobación dio una advertencia.",
    "indeterminate": "La comprobación no se pudo completar.",
    "skipped": "No se comprobó.",
}


def explanation_key(decision: Decision, report_format: str = "") -> str:
    """The text that explains a verdict, in :data:`TEXT`.

    ``explain_<verdict>_<code>`` when the code that decided it has its own
    explanation (why a link could not be read), then ``explain_<verdict>_<check>``
    when the check that decided the verdict has its own explanation (a forged
    *key* reads differently from a forged *signature*), else
    ``explain_<verdict>``; a verified credential from an issuer the verifier
    does not know gets ``explain_verified_unknown``. A hosted Open Badges 2.0
    badge (``report_format`` ``ob2_hosted``) has no signature, so its verdicts
    that speak of one read ``..._ob2_hosted``.
    """
    key = _explanation_key(decision)
    if report_format == "ob2_hosted":
        for candidate in (f"{key}_ob2_hosted", f"explain_{decision.verdict.value}_ob2_hosted"):
            if candidate in TEXT["en"]:
                return candidate
    return key


def verdict_key(verdict: str, report_format: str = "") -> str:
    """The heading of a verdict, in :data:`TEXT` (hosted OB 2.0 badges have no signature)."""
    hosted = f"verdict_{verdict}_{report_format}"
    return hosted if report_format == "ob2_hosted" and hosted in TEXT["en"] \
        else f"verdict_{verdict}"


def _explanation_key(decision: Decision) -> str:
    verdict = decision.verdict
    if verdict == Verdict.VERIFIED:
        unknown = any(c.code == "unknown_issuer" for c in decision.because)
        return "explain_verified_unknown" if unknown else "explain_verified"
    for check in decision.because:
        for key in (f"explain_{verdict.value}_{check.code}",  # a link's cause (#18)
                    f"explain_{verdict.value}_{check.id}"):
            if key in TEXT["en"]:
                return key
    return f"explain_{verdict.value}"


def choose_language(requested: str | None, accept: Any = None) -> str:
    """The page language: ``requested`` if supported, else ``Accept-Language``, else English.

    Args:
        requested: ``?lang=`` or the form field.
        accept: werkzeug's ``request.accept_languages`` (or None).
    """
    if requested:
        code = requested.strip().lower()[:2]
        if code in LANGUAGES:
            return code
    if accept is not None:
        best = accept.best_match(LANGUAGES)
        if best in LANGUAGES:
            return str(best)
    return "en"


def _date(value: Any, lang: str) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
    except (ValueError, TypeError):
        return None
    return format_day(moment, lang)


def format_day(moment: datetime, lang: str) -> str:
    """A date for people: ``1 May 2026`` / ``1 de mayo de 2026``."""
    month = _MONTHS[lang][moment.month - 1]
    if lang == "es":
        return f"{moment.day} de {month} de {moment.year}"
    return f"{moment.day} {month} {moment.year}"


_OWN_ISSUERS = re.compile(r"this service's own issuers \(([^()]+)\)")


@dataclass(frozen=True, slots=True)
class Translator:
    """Texts for one language."""

    lang: str

    def __call__(self, key: str, **values: Any) -> str:
        """The text for ``key`` (English when missing), formatted with ``values``."""
        text = TEXT[self.lang].get(key) or TEXT["en"].get(key) or key
        return text.format(**values) if values else text

    def check_name(self, check_id: str) -> str:
        """A check's plain-language name."""
        return self(f"check_{check_id}")

    def outcome(self, outcome: str) -> str:
        """An outcome's label."""
        return self(f"outcome_{outcome}")

    def check_label(self, check: CheckResult) -> tuple[str, str]:
        """The label and style class for a check's outcome.

        An expired credential's date check reads "Expired" in the warning
        style, not "Failed": the record is genuine, only its period is over.
        """
        if check.id == "validity_period" and check.code == "expired":
            return self("outcome_expired"), "warning"
        return self.outcome(check.outcome.value), check.outcome.value

    def registry(self, name: Any) -> str:
        """A list of known issuers' name for people.

        The district service names its own issuers' list "this service's own
        issuers (HOST)" (``issuer.services.published.OwnIssuers``); that name
        is said in the reader's language. Other lists keep their own names.
        """
        text = str(name or "")
        found = _OWN_ISSUERS.fullmatch(text)
        return self("own_issuers", host=found.group(1)) if found else text

    def date(self, moment: datetime | None) -> str:
        """A stored date as people read it in this language (``4 de diciembre de 2026``)."""
        return format_day(moment, self.lang) if moment is not None else ""

    def day(self, value: Any) -> str | None:
        """A credential date (``validFrom``...) as a date for people, or None."""
        return _date(value, self.lang)

    def check_message(self, check: CheckResult) -> str:
        """One plain sentence explaining ``check`` in this language."""
        if self.lang == "en":
            return check.message
        code = check.code
        if check.outcome.value == "skipped" and code in ("not_open_badge", "input_unreadable"):
            code = "input_unreadable"
        worst = check.detail.get("endorsement")
        if code == "endorsement_unchecked" and isinstance(worst, Mapping) \
                and "overflow" in worst:
            code = "endorsement_overflow"
        hosted = check.detail.get("verification") == "hosted" and \
            check.detail.get("standard") == "Open Badges 2.0"
        template = (_ES_CODES.get(f"{check.id}:{code}:ob2_hosted") if hosted else None) \
            or _ES_CODES.get(f"{check.id}:{code}") or _ES_CODES.get(code)
        if template is None:
            return _ES_FALLBACK.get(check.outcome.value, check.message)
        return template.format_map(_Values(check.detail, self.lang))


class _Values(dict[str, str]):
    """Values for a Spanish sentence, read from a check's detail."""

    def __init__(self, detail: Mapping[str, Any], lang: str) -> None:
        super().__init__()
        start = detail.get("validFrom", detail.get("issuanceDate", detail.get("issuedOn")))
        end = detail.get("validUntil", detail.get("expirationDate", detail.get("expires")))
        self["from"] = _date(start, lang) or "?"
        self["until"] = _date(end, lang) or "?"
        until = _date(end, lang)
        self["until_clause"] = f" hasta el {until}" if until else ", sin fecha de vencimiento"
        self["name"] = str(detail.get("name") or "")
        self["registry"] = Translator(lang).registry(detail.get("registry"))
        signer = detail.get("issuer")
        domain = detail.get("domain")
        self["signer"] = f"{signer} ({domain})" if signer and domain else str(signer or "?")
        when = _date(detail.get("statusDate"), lang)
        self["status_when"] = f" el {when}" if when else ""
        reason = detail.get("statusReason")
        self["status_why"] = f" Motivo indicado: {reason}" if isinstance(reason, str) else ""
        worst = detail.get("endorsement")
        if isinstance(worst, Mapping):
            self._endorsement(worst, detail.get("endorsements"), lang)

    def _endorsement(self, worst: Mapping[str, Any], every: Any, lang: str) -> None:
        """The values of an endorsement sentence: who, where, and why (translated)."""
        self["endorser"] = str(worst.get("endorserName") or worst.get("endorser")
                               or _ES_UNNAMED_ENDORSER)[:200]
        place = str(worst.get("on"))
        self["endorsed_on"] = _ES_PLACES.get(place, f"en {place}")
        self["endorsement_subject"] = str(worst.get("subject"))[:200]
        self["overflow"] = str(worst.get("overflow", ""))
        because = worst.get("because")
        if isinstance(because, Mapping):
            try:
                inner = CheckResult(str(because.get("id")), Outcome(str(because.get("outcome"))),
                                    str(because.get("code")), str(because.get("message")),
                                    dict(because.get("detail") or {}))
            except (ValueError, TypeError):
                inner = None
            if inner is not None:
                self["endorsement_reason"] = Translator(lang).check_message(inner)
        problems = [e for e in every if isinstance(e, Mapping) and e.get("code")] \
            if isinstance(every, list) else []
        if len(problems) > 1:
            self["more"] = (f" (Otros {len(problems) - 1} de los {len(every)} avales también "
                            "tienen problemas.)")

    def __missing__(self, key: str) -> str:
        return ""
