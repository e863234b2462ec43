"""The admin tools and account pages in Spanish, and the e-mails sent in the recipient's language.

Each page asked for with ``?lang=es`` says ``Content-Language: es``, shows its
Spanish words and none of its key English ones; without ``lang`` the same
pages are in English, unchanged. Runs on SQLite and PostgreSQL (the
``db_url`` fixture).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import sqlalchemy as sa
from flask import Flask
from markupsafe import escape

from issuer import badge_art
from issuer import badge_design
from issuer.batch import intake
from issuer.batch import service as batch_service
from issuer.models_batch import BatchStatus
from issuer.models_workflow import MailMessage
from issuer.services import oid4vci
from issuer.services import organizations
from issuer.web.audit import SUBJECT_KINDS
from issuer.workflow import accounts
from issuer.workflow import notifications
from tests.issuer.conftest import NOW
from tests.issuer.workflow.conftest import PASSWORD
from tests.issuer.workflow.conftest import Browser
from tests.issuer.workflow.conftest import World
from tests.issuer.workflow.test_flow import fill
from tests.issuer.workflow.test_renewals import REFLECTIONS
from tests.issuer.workflow.test_renewals import award_expiring
from verifier.i18n import TEXT

#: Per page (path without ``lang``): (Spanish words it shows, English words it shows).
ADMIN_PAGES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "/district/people?org=lakeside": (
        ("Personas", "Miembros (", "Invitar a alguien", "Escuela o distrito", "Docente",
         "Revisor / mentor", "Administrador del distrito", "Enviar la invitación",
         "Conflicto de intereses", "Guardar la regla", "Mentoría", "Registrar la mentoría",
         "Idioma del correo de invitación", "Lakeside Unified: panel"),
        ("People", "Members (", "Invite someone", "School or district", "Teacher",
         "Reviewer / mentor", "District admin", "Send invitation", "Conflict of interest",
         "Save the rule", "Mentoring", "Mark as mentoring", "Lakeside Unified: dashboard")),
    "/district/achievements?org=lakeside": (
        ("Microcredenciales", "Nueva microcredencial", "Versión", "Acciones", "Publicada",
         "Editar", "Archivar", "Lakeside Unified: 2 microcredenciales"),
        ("Micro-credentials", "New micro-credential", "Version", "Actions", "Published",
         "Edit", "Archive", "Lakeside Unified: 2 micro-credentials")),
    "/district/achievements/new?org=lakeside": (
        ("Nueva microcredencial", "Información general", "Nombre corto para los enlaces",
         "(obligatorio)", "Tipo de logro", "Cómo se obtiene", "Evidencias requeridas",
         "Validez (días)", "Nombre del criterio 1", "Criterio 2, puntos del nivel 3",
         "Revisión y catálogo", "Seguir la regla del distrito", "Guardar como borrador",
         "Cancelar"),
        ("New micro-credential", "About", "Short name for links", "(required)",
         "Kind of achievement", "How it is earned", "Evidence requirements",
         "Valid for (days)", "Criterion 1 name", "Criterion 2, level 3 points",
         "Review and catalogue", "Follow the district's rule", "Save as draft", "Cancel")),
    "/district/badge-art?org=lakeside": (
        ("Imagen de las insignias", "Diseñar una imagen", "Subir una imagen nueva",
         "Archivo PNG o SVG", "Qué muestra la imagen", "Texto alternativo:",
         "generada automáticamente"),
        ("Badge art", "Design an image", "Upload a new image", "PNG or SVG file",
         "What the image shows", "Alternative text:", "generated")),
    "/district/audit?org=lakeside": (
        ("Registro de auditoría", "Autor", "Cualquier acción", "Desde", "Hasta (incluido)",
         "Filtrar", "Descargar todo el registro (CSV)", "y sus escuelas"),
        ("Audit log", "Actor", "Any action", "To (included)", "Filter",
         "Download the whole log (CSV)", "and its schools")),
    "/district/partners": (
        ("Socios y avales", "Socios (0)", "Todavía no hay socios.", "Invitar a un socio",
         "Nombre de la organización", "Añadir el socio y enviar la invitación"),
        ("Partners and endorsements", "Partners (0)", "No partners yet.", "Invite a partner",
         "Organization name", "Add the partner and send the invitation")),
    "/start": (
        ("Hola, Dana Whitfield", "Ha iniciado sesión como Administrador del distrito.",
         "Abrir el panel", "Personas e invitaciones", "Socios y avales"),
        ("Hello, Dana Whitfield", "Signed in as District admin.", "Open the dashboard",
         "People and invitations", "Partners and endorsements")),
}


def _page(browser: Browser, path: str, lang: str | None) -> str:
    """The page's text, checked for status and Content-Language."""
    joiner = "&" if "?" in path else "?"
    response = browser.get(path + (f"{joiner}lang={lang}" if lang else ""))
    assert response.status_code == 200, (path, response.status_code)
    assert response.headers["Content-Language"] == (lang or "en"), path
    return response.get_data(as_text=True)


def _shows(html: str, words: str) -> bool:
    """Whether the page's text (tags and their attributes left out) says ``words``."""
    text = " ".join(unescape(re.sub(r"<[^>]*>", " ", html)).split())
    words = " ".join(re.sub(r"<[^>]*>", " ", words).split())
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is not None


def _check(browser: Browser, pages: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
    """Each page in Spanish (none of its key English words), then in English as before."""
    for path, (spanish, english) in pages.items():
        html = _page(browser, path, "es")
        for words in spanish:
            assert words in html or str(escape(words)) in html, (path, words)
        for words in english:
            assert not _shows(html, words), (path, words)
    for path, (spanish, english) in pages.items():
        html = _page(browser, path, "en")  # a signed-in person's Spanish choice is remembered
        for words in english:
            assert words in html or str(escape(words)) in html, (path, words)
        for words in spanish:
            assert not _shows(html, words), (path, words)


def _mails(app: Flask, kind: str) -> list[tuple[str, str, str]]:
    """(to, subject, body) of the outbox's messages of ``kind`` (sealed ones opened)."""
    key = app.extensions["workflow"].mail.seal_key
    with app.extensions["badges"]["db"].session() as session:
        rows = session.scalars(sa.select(MailMessage).where(MailMessage.kind == kind)
                               .order_by(MailMessage.id)).all()
        return [(r.to_address, r.subject,
                 notifications.unseal(r, key) or r.body if r.body.startswith(
                     notifications.SEALED) else r.body) for r in rows]


def test_admin_pages_in_spanish_and_english(app: Flask, world: World,
                                            as_user: Callable[[str], Browser]) -> None:
    admin = as_user("admin")
    blended = world.achievements["blended"]
    pages = {
        **ADMIN_PAGES,
        f"/district/achievements/{blended}/edit": (
            ("Editar Blended Learning Design", "Estado: publicada · versión 1", "Rúbrica",
             "Alineada con", "Guardar los cambios"),
            ("Edit Blended Learning Design", "Status: published · version 1", "Rubric",
             "Aligned with", "Save changes")),
        f"/district/badge-art/{blended}/design?org=lakeside": (
            ("Diseñar la insignia de Blended Learning Design", "Plantilla", "Medallón",
             "círculo con un anillo blanco", "Color del distrito (", "Rojo óxido", "Sin icono",
             "Marca de verificación", "Palabras en la insignia", "Usar este diseño",
             "Vista previa", "a 64 píxeles"),
            # (the alternative text the design makes stays English: it is stored in the
            # badge, so "circle with a white ring" is still on the page, once)
            ("Design the badge for Blended Learning Design", "Template", "Medallion",
             "District colour (", "Rust red", "No icon",
             "Check mark", "Words on the badge", "Use this design", "Preview",
             "at 64 pixels")),
    }
    _check(admin, pages)


def test_admin_messages_in_spanish(app: Flask, world: World,
                                   as_user: Callable[[str], Browser]) -> None:
    """What the forms answer, and the invitation e-mail in the language chosen for it."""
    admin = as_user("admin")
    _page(admin, "/district/people", "es")  # the choice is remembered for the session
    answer = admin.post("/district/policy", {"org": "lakeside", "mentor_conflict": "on"})
    shown = admin.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Ahora los mentores no pueden decidir sobre las entregas de sus mentorados." in shown
    admin.post("/district/invitations", {"org": "lakeside", "email": "nueva@lakeside.test",
                                         "organization_id": str(world.orgs["maple"]),
                                         "role": "earner", "lang": "es"})
    admin.post("/district/invitations", {"org": "lakeside", "email": "new@lakeside.test",
                                         "organization_id": str(world.orgs["maple"]),
                                         "role": "earner", "lang": "en"})
    shown = admin.get("/district/people?org=lakeside").get_data(as_text=True)
    assert "Invitación enviada a nueva@lakeside.test. El enlace, por si el correo no llega:" \
        in shown
    assert "Invitaciones pendientes" in shown and "(hasta el " in shown
    (spanish, english) = _mails(app, "invitation")
    assert spanish[0] == "nueva@lakeside.test"
    assert spanish[1] == "Invitación a las microcredenciales de Maple Elementary"
    assert spanish[2].startswith("Hola:\n\nDana Whitfield le invitó a Maple Elementary")
    assert "(el enlace sirve durante 14 días)" in spanish[2]
    assert english[1] == "You are invited to Maple Elementary micro-credentials"
    assert english[2].startswith("Hello,\n\nDana Whitfield invited you to Maple Elementary on "
                                 "the district's micro-credential service.")
    token = re.search(r"/invite/([A-Za-z0-9_-]+)", spanish[2])
    assert token is not None
    guest = Browser(app.test_client())
    invitation = _page(guest, f"/invite/{token.group(1)}", "es")
    for word in ("Únase a Maple Elementary", "Se le invita como <strong>Docente</strong>",
                 "Elija una contraseña", "Al menos 10 caracteres", "Aceptar la invitación"):
        assert word in invitation, word
    for word in ("Join Maple", "You are invited as", "Choose a password",
                 "Accept the invitation"):
        assert word not in invitation, word
    english_page = _page(guest, f"/invite/{token.group(1)}", "en")
    assert "You are invited as <strong>Teacher</strong>" in english_page
    accepted = guest.post(f"/invite/{token.group(1)}?lang=es",
                          {"name": "Nueva Docente", "password": PASSWORD})
    assert accepted.status_code == 303
    welcome = guest.get(accepted.headers["Location"] + "?lang=es").get_data(as_text=True)
    assert "Le damos la bienvenida, Nueva Docente: su cuenta está lista." in welcome
    assert "Sus evidencias" in welcome and "Explore las microcredenciales" in welcome
    # a new micro-credential's draft, saved from the Spanish form
    saved = admin.post("/district/achievements", {
        "org": "lakeside", "name": "Coaching", "slug": "coaching", "description": "D.",
        "criteria": "C."})
    assert saved.status_code == 303, saved.get_data(as_text=True)
    listed = admin.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Borrador guardado: Coaching. Publíquelo cuando esté listo." in listed
    assert "Borrador" in listed and "Publicar" in listed


def test_account_pages_and_reset_mail_in_spanish(app: Flask, world: World) -> None:
    del world
    guest = Browser(app.test_client())
    forgot = _page(guest, "/forgot-password", "es")
    for word in ("¿Olvidó su contraseña?", "Escriba el correo electrónico",
                 "Enviarme un enlace", "Volver a iniciar sesión"):
        assert word in forgot, word
    for word in ("Forgot your password?", "Send me a link", "Back to sign in"):
        assert word not in forgot, word
    assert "Send me a link" in _page(guest, "/forgot-password", "en")
    sent = guest.post("/forgot-password?lang=es", {"email": "maria@lakeside.test"})
    assert sent.headers["Content-Language"] == "es"
    text = sent.get_data(as_text=True)
    assert "Si existe una cuenta con esa dirección, le enviamos un enlace." in text
    assert "If an account exists" not in text
    ((to, subject, body),) = _mails(app, "password_reset")
    assert to == "maria@lakeside.test" and subject == "Restablezca su contraseña de insignias"
    assert body.startswith("Hola, María López:\n\nAlguien (esperamos que usted) pidió")
    link = next(line for line in body.splitlines() if "/reset-password/" in line).strip()
    path = link[link.index("/reset-password/"):]
    reset = _page(guest, path, "es")
    for word in ("Elija una contraseña nueva", "Para la cuenta de", "Contraseña nueva",
                 "Guardar la contraseña nueva"):
        assert word in reset, word
    assert "Choose a new password" not in reset and "New password" not in reset
    english = _page(guest, path, "en")
    assert "Choose a new password" in english and "Save the new password" in english
    invalid = _page_status(guest, "/reset-password/not-a-token?lang=es")
    assert "Este enlace ya no funciona" in invalid and "Pedir un enlace nuevo" in invalid


def _page_status(browser: Browser, path: str) -> str:
    """A page that answers with an error status (its language still said)."""
    response = browser.get(path)
    assert response.status_code >= 400 and response.headers["Content-Language"] == "es"
    return response.get_data(as_text=True)


def test_teacher_start_and_renew_in_spanish(app: Flask, world: World,
                                            as_user: Callable[[str], Browser]) -> None:
    credential = award_expiring(app, world)
    teacher = as_user("teacher")
    _check(teacher, {
        "/start": (("Hola, María López", "Ha iniciado sesión como Docente.", "Sus evidencias",
                    "Explore las microcredenciales", "Su cartera de insignias"),
                   ("Hello, María López", "Signed in as Teacher.", "Your evidence",
                    "Browse micro-credentials", "Your wallet of badges")),
        f"/wallet/{credential}/renew": (
            ("Renovar Blended Learning Design", "Cartera", "emitida el ",
             "válida hasta el ", "Al renovarla se inicia una entrega nueva",
             "Empezar la renovación"),
            ("Renew Blended Learning Design", "Wallet", "Renewing starts a new submission",
             "Start the renewal")),
    })
    started = teacher.post(f"/wallet/{credential}/renew?lang=es")
    assert started.status_code == 303
    shown = teacher.get(started.headers["Location"] + "?lang=es").get_data(as_text=True)
    assert "Se inició la renovación de Blended Learning Design" in shown
    # the teacher submits in Spanish: the receipt is Spanish, the reviewers' notices English
    submission = started.headers["Location"].rsplit("/", 1)[1]
    fill(teacher, submission)
    sent = teacher.post(f"/submissions/{submission}/reflections",
                        {**REFLECTIONS, "action": "submit"})
    shown = teacher.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Sus evidencias se enviaron a los revisores." in shown
    mails = {to: (subject, body) for to, subject, body in _mails(app, "submission_received")}
    subject, body = mails["maria@lakeside.test"]
    assert subject == "Recibimos sus evidencias para Blended Learning Design"
    assert body.startswith("Hola, María López:\n\nSus evidencias para «Blended Learning "
                           "Design» se enviaron y esperan a un revisor.")
    assert mails["marcus@lakeside.test"][0] == "New evidence to review: Blended Learning Design"


def test_partner_pages_and_invitation_in_spanish(app: Flask, world: World,
                                                 as_user: Callable[[str], Browser]) -> None:
    del world
    admin = as_user("admin")
    _page(admin, "/district/partners", "es")
    answer = admin.post("/district/partners", {"name": "State University", "email":
                                               "dean@stateu.test", "slug": "state-university",
                                               "lang": "es"})
    assert answer.status_code == 303
    page = _page(admin, "/district/partners", "es")
    assert "Se añadió a State University y se invitó a dean@stateu.test." in page
    assert "Socios (1)" in page and "(desde el " in page
    ((_, subject, body),) = _mails(app, "invitation")
    assert subject == "Lakeside Unified invita a State University a avalar sus microcredenciales"
    assert "Lakeside Unified invitó a State University a avalar su programa" in body
    token = re.search(r"/invite/([A-Za-z0-9_-]+)", body)
    assert token is not None
    partner = Browser(app.test_client())
    partner.get(f"/invite/{token.group(1)}")
    assert partner.post(f"/invite/{token.group(1)}",
                        {"name": "Dean Rivera", "password": PASSWORD}).status_code == 303
    _check(partner, {"/partner/endorsements": (
        ("Avalar las microcredenciales de Lakeside Unified", "firma cada aval con su propia "
         "clave", "su perfil de emisor", "Nuevo aval", "Qué avala", "(el distrito como emisor)",
         "Su comentario", "Firmar el aval", "Sus avales", "Todavía ninguno."),
        ("Endorse Lakeside Unified's micro-credentials", "New endorsement",
         "What you endorse", "(the district as an issuer)", "Your comment",
         "Sign the endorsement", "Your endorsements", "None yet."))})


def test_batch_page_in_spanish(app: Flask, world: World,
                               as_user: Callable[[str], Browser]) -> None:
    del world
    with app.extensions["badges"]["db"].session() as session:
        org = organizations.get(session, "lakeside")
        rows = intake.from_json([
            {"email": "ann@lakeside.test", "name": "Ann Lee",
             "achievement": "blended-learning-design"},
            {"email": "not an address", "name": "Bo", "achievement": "blended-learning-design"}])
        batch = batch_service.create(session, org, rows, actor="test", now=NOW,
                                     backend="inprocess", filename="awards.csv")
        batch.status = BatchStatus.FAILED
        session.commit()
        batch_id = batch.id
    admin = as_user("admin")
    _check(admin, {f"/batches/{batch_id}?refresh=0": (
        ("Emisión por lotes de Lakeside Unified", "Archivo <strong>awards.csv</strong>",
         "2 filas, creada el", "Progreso", "Detenida por un error.", "Emitidas",
         "Omitidas (ya emitidas)", "Pendientes", "Filas que fallaron", "Línea", "Columna",
         "Motivo", "La dirección de correo electrónico no es válida."),
        ("Batch awards for Lakeside Unified", "File <strong>awards.csv</strong>",
         "2 rows, created", "Stopped by an error.", "Skipped (already issued)", "Pending",
         "Rows that failed", "The e-mail address is not valid."))})


def test_every_choice_and_code_has_words_in_both_languages() -> None:
    """Designer choices, audit subjects, batch states and row codes are all worded."""
    keys = [f"bd_shape_{k}" for k in badge_design.SHAPES] \
        + [f"bd_shape_words_{k}" for k in badge_design.SHAPES] \
        + [f"bd_icon_{k}" for k in badge_design.ICONS] \
        + [f"bd_colour_{name.replace(' ', '_')}" for name, _ in badge_art.PALETTE] \
        + [f"aud_kind_{kind}" for kind in SUBJECT_KINDS] \
        + [f"bat_status_{state.value}" for state in BatchStatus]
    for key in keys:
        assert key in TEXT["en"] and key in TEXT["es"], key
    # the English words are the ones the alternative text and the old pages used
    for key, (words, _) in badge_design.SHAPES.items():
        assert TEXT["en"][f"bd_shape_words_{key}"] == words
    for key, (words, _) in badge_design.ICONS.items():
        assert TEXT["en"][f"bd_icon_{key}"] == words
    for role, name in accounts.ROLE_NAMES.items():
        assert TEXT["en"][f"role_{role.value}"] == name
    # every es2 key has a Spanish text with the same placeholders
    start = list(TEXT["en"]).index("acct_forgot_sent")
    for key in list(TEXT["en"])[start:]:
        assert set(re.findall(r"{(\w+)}", TEXT["en"][key])) == \
            set(re.findall(r"{(\w+)}", TEXT["es"][key])), key


def test_wallet_code_mail_in_the_language_the_teacher_asked_in(
        app: Flask, world: World, as_user: Callable[[str], Browser]) -> None:
    """The claim code e-mail goes to the person asking: in their page's language."""
    credential = award_expiring(app, world)
    with app.extensions["badges"]["db"].session() as session:
        oid4vci.set_tx_code_rule(session, organizations.get(session, "lakeside"), enabled=True,
                                 actor="test", now=NOW)
        session.commit()
    assert as_user("teacher").post(f"/wallet/{credential}/claim?lang=es").status_code == 200
    ((_, subject, body),) = _mails(app, "claim_tx_code")
    assert subject == "Su código para guardar Blended Learning Design en una cartera"
    found = re.search(r"El código es (\d{6})\. Sirve una sola vez, hasta las \d\d:\d\d UTC del "
                      r"\d{1,2} de [a-z]+ de \d{4}\.", body)
    assert found is not None, body
    assert as_user("teacher").post(f"/wallet/{credential}/claim").status_code == 200
    (_, (_, subject, body)) = _mails(app, "claim_tx_code")
    assert subject == "Your code to claim Blended Learning Design in a wallet"
    assert re.search(r"The code is \d{6}\. It works once, until \d\d:\d\d UTC on \d\d [A-Z][a-z]+ "
                     r"\d{4}\.", body), body
