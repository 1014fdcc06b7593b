"""The words of every mail Tandem sends by itself (password resets, invitations, booking mails,
notifications and digests; docs/email.md "System mail"), in English and German.

``render(kind, locale, fields, link)`` answers the subject, the plain text and a small HTML body of
one mail. Each kind is a subject and paragraphs with named fields (``{guest}``: one line each, but
a ``note``); a paragraph whose field is empty (None or "") is left out, which is how optional parts
(a guest's note, the .ics hint) come and go. Field values are text, a ``Moment`` (said in the
recipient's language and zone: "Montag, 7. Dezember 2026, 14:30") or a ``Count`` ("30 Minuten").
In the HTML every field is escaped, and the one link — the thing the mail is about, on our own origin — is the only anchor;
no images, no styles that load anything. The subject is one line whatever the fields hold: a CR
or LF in a name cannot add a header. Pure: no I/O.
"""

from __future__ import annotations

import html as entities
import re
import string
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALES = ("en", "de")
MULTILINE = frozenset({"note"})  # fields that keep their line breaks in the body; all others are one line
_CONTROLS = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\x85]+")


class Moment(NamedTuple):
    """An instant, said in the zone ``zone`` (an IANA name) of the recipient."""

    at: datetime
    zone: str


class Count(NamedTuple):
    """``n`` of ``noun`` (a key of ``NOUNS``), singular or plural by the recipient's language."""

    n: int
    noun: str


class Item(NamedTuple):
    """One line of a list (a digest's notifications), with its own link when it has one."""

    text: str
    link: str | None = None


class Rendered(NamedTuple):
    subject: str
    text: str
    html: str


class Words(NamedTuple):
    """One kind of mail in one language: subject, paragraphs, and the words of its link."""

    subject: str
    paragraphs: tuple[str, ...]
    action: str = ""


Field = str | int | Moment | Count | None

_WEEKDAYS = {"en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
             "de": ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")}
_MONTHS = {"en": ("January", "February", "March", "April", "May", "June", "July", "August", "September",
                  "October", "November", "December"),
           "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                  "November", "Dezember")}
NOUNS = {"minute": {"en": ("minute", "minutes"), "de": ("Minute", "Minuten")},
         "unread": {"en": ("unread notification", "unread notifications"),
                    "de": ("ungelesene Benachrichtigung", "ungelesene Benachrichtigungen")}}


def locale_of(*choices: str | None) -> str:
    """The first of ``choices`` we write in ("en", "de", or a tag like "de-AT"); else English."""
    for choice in choices:
        base = (choice or "").strip().lower().replace("_", "-").split("-")[0]
        if base in LOCALES:
            return base
    return "en"


def spoken_time(at: datetime, zone: str, locale: str) -> str:
    """``Monday, 7 December 2026, 14:30`` / ``Montag, 7. Dezember 2026, 14:30`` in ``zone``."""
    try:
        local = at.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        local = at.astimezone(ZoneInfo("UTC"))
    day, month = _WEEKDAYS[locale][local.weekday()], _MONTHS[locale][local.month - 1]
    dot = "." if locale == "de" else ""
    return f"{day}, {local.day}{dot} {month} {local.year}, {local:%H:%M}"


def spoken(value: Field, locale: str) -> str:
    """A field as the recipient reads it; "" for an empty one."""
    if value is None:
        return ""
    if isinstance(value, Moment):
        return f"{spoken_time(value.at, value.zone, locale)} ({value.zone})"
    if isinstance(value, Count):
        one, many = NOUNS[value.noun][locale]
        return f"{value.n} {one if value.n == 1 else many}"
    return str(value)


def one_line(text: str) -> str:
    """``text`` with its line breaks and other control characters as single spaces."""
    return " ".join(_CONTROLS.sub(" ", text).split())


def absolute(base: str, path: str) -> str:
    """The link to ``path`` (``/w/…``) on our own origin ``base`` (TANDEM_PUBLIC_URL); the bare
    path when no public URL is set. A path that could leave the origin is refused."""
    if not path.startswith("/") or path.startswith("//") or _CONTROLS.search(path):
        raise ValueError(f"expected a path on this server starting with one '/', got {path[:60]!r}")
    return f"{base.rstrip('/')}{path}"


def render(kind: str, locale: str | None, fields: Mapping[str, Field], link: str | None = None,
           items: Sequence[Item] = ()) -> Rendered:
    """The mail ``kind`` in ``locale`` (English when unknown), with ``items`` listed after its
    paragraphs and ``link`` after them."""
    chosen = locale_of(locale)
    words = TEXTS[kind][chosen]
    said = {name: spoken(value, chosen) if name in MULTILINE else one_line(spoken(value, chosen))
            for name, value in fields.items()}
    paragraphs = [p for p in words.paragraphs if all(said.get(name) for name in _names(p))]
    subject = one_line(words.subject.format_map({name: one_line(value) for name, value in said.items()}))
    return Rendered(subject, _text(paragraphs, said, words.action, link, items),
                    _html(paragraphs, said, words.action, link, items))


def _names(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _text(paragraphs: list[str], said: Mapping[str, str], action: str, link: str | None,
          items: Sequence[Item]) -> str:
    blocks = [p.format_map(said) for p in paragraphs]
    if items:
        blocks.append("\n".join(f"- {item.text}" + (f"\n  {item.link}" if item.link else "") for item in items))
    if link:
        blocks.append(f"{action}: {link}" if action else link)
    return "\n\n".join(blocks) + "\n"


def _html(paragraphs: list[str], said: Mapping[str, str], action: str, link: str | None,
          items: Sequence[Item]) -> str:
    escaped = {name: entities.escape(value).replace("\n", "<br>\n") for name, value in said.items()}
    blocks = [f"<p>{entities.escape(p, quote=False).format_map(escaped)}</p>" for p in paragraphs]
    if items:
        blocks.append("<ul>\n" + "\n".join(f"<li>{_anchor(item.link, item.text)}</li>" for item in items)
                      + "\n</ul>")
    if link:
        blocks.append(f"<p>{_anchor(link, action or link)}</p>")
    return ('<!doctype html>\n<html><body style="font-family: sans-serif; line-height: 1.5">\n'
            + "\n".join(blocks) + "\n</body></html>\n")


def _anchor(link: str | None, words: str) -> str:
    """An ``<a>`` to an absolute http(s) link; just the words otherwise (no public URL set)."""
    if link is None or not link.startswith(("https://", "http://")):
        return entities.escape(words) + (f" ({entities.escape(link)})" if link else "")
    return f'<a href="{entities.escape(link)}">{entities.escape(words)}</a>'


# --- what notifications say --------------------------------------------------------------------

# The bell shows these translated in the app (client/web/src/i18n, notify.label_*); a mail says them too.
_SAYS = {"en": {"mentioned": "Mentioned you in", "assigned": "Assigned to you", "deal_changed": "A deal you follow",
                "reminder": "Reminder", "automation": "Automation", "booking_request": "Booking request"},
         "de": {"mentioned": "Erwähnung in", "assigned": "Ihnen zugewiesen", "deal_changed": "Gefolgter Deal",
                "reminder": "Erinnerung", "automation": "Automatisierung", "booking_request": "Terminanfrage"}}
_MENTIONED_BY = {"en": "{actor} mentioned you in: {message}", "de": "{actor} hat Sie erwähnt in: {message}"}
_DEAL_ENDS = {"de": {"won": "gewonnen", "lost": "verloren"}}
_MOVED_TO = {"de": "verschoben nach"}


def notification_line(kind: str, message: str, actor: str | None, locale: str | None) -> str:
    """``Mentioned you in: “Call notes”`` (``Ada mentioned you in: …`` when the author is known)."""
    chosen = locale_of(locale)
    if kind == "mentioned" and actor:
        return _MENTIONED_BY[chosen].format(actor=actor, message=message)
    if kind == "deal_changed" and chosen in _DEAL_ENDS:
        message = _deal_change(message, chosen)
    says = _SAYS[chosen].get(kind)
    return f"{says}: {message}" if says else message


def _deal_change(message: str, locale: str) -> str:
    """A followed deal's stored message (``Globex: won``, ``Globex: moved to Offer``) in ``locale``."""
    title, colon, what = message.rpartition(": ")
    if not colon:
        return message
    if what in _DEAL_ENDS[locale]:
        return f"{title}: {_DEAL_ENDS[locale][what]}"
    if what.startswith("moved to "):
        return f"{title}: {_MOVED_TO[locale]} {what.removeprefix('moved to ')}"
    return message


# --- the texts ---------------------------------------------------------------------------------

_MEET = {"en": "{guest} and {host} meet on {when}, for {length}.",
         "de": "{guest} und {host} treffen sich am {when}, für {length}."}
_ICS = {"en": "The attached {ics} adds it to a calendar.", "de": "Mit der angehängten {ics} kommt der Termin in "
        "Ihren Kalender."}  # ics: "invite.ics" when one is attached
_NOTE = {"en": "The guest's note: {note}", "de": "Notiz des Gastes: {note}"}
_MANAGE = {"en": "Cancel or reschedule", "de": "Absagen oder verschieben"}
_CALENDAR = {"en": "Open your calendar", "de": "Kalender öffnen"}

TEXTS: dict[str, dict[str, Words]] = {
    "password_reset": {
        "en": Words("Reset your Tandem password", (
            "Someone asked to reset the password of your Tandem account. Open the link below within {minutes} "
            "to choose a new one; it works once and signs you out everywhere else. (For the API, the token:)",
            "{token}",
            "If it was not you, ignore this mail: your password stays as it is."), "Choose a new password"),
        "de": Words("Ihr Tandem-Passwort zurücksetzen", (
            "Jemand möchte das Passwort Ihres Tandem-Kontos zurücksetzen. Öffnen Sie den Link unten innerhalb "
            "von {minutes}, um ein neues zu wählen; er gilt einmal und meldet Sie überall sonst ab. (Für die "
            "API, der Code:)",
            "{token}",
            "Waren Sie das nicht, ignorieren Sie diese E-Mail: Ihr Passwort bleibt, wie es ist."),
            "Neues Passwort wählen"),
    },
    "workspace_invitation": {
        "en": Words("{inviter} invites you to {workspace} on Tandem", (
            "{inviter} invites you to the workspace “{workspace}” on Tandem.",
            "Accept before {expires}: open the link and sign in (or create your account) with this e-mail "
            "address. The invitation works once.",
            "Your invitation token: {token}"), "Accept the invitation"),
        "de": Words("{inviter} lädt Sie zu {workspace} auf Tandem ein", (
            "{inviter} lädt Sie in den Arbeitsbereich „{workspace}“ auf Tandem ein.",
            "Nehmen Sie bis {expires} an: Öffnen Sie den Link und melden Sie sich mit dieser E-Mail-Adresse an "
            "(oder legen Sie ein Konto an). Die Einladung gilt einmal.",
            "Ihr Einladungscode: {token}"), "Einladung annehmen"),
    },
    "guest_invitation": {
        "en": Words("{inviter} shared “{board}” with you", (
            "{inviter} invites you to the board “{board}” of {workspace} on Tandem.",
            "Create your account with this link before {expires}. The link works once."), "Open the invitation"),
        "de": Words("{inviter} hat „{board}“ mit Ihnen geteilt", (
            "{inviter} lädt Sie zum Board „{board}“ von {workspace} auf Tandem ein.",
            "Legen Sie mit diesem Link bis {expires} Ihr Konto an. Der Link gilt einmal."), "Einladung öffnen"),
    },
    "notification": {
        "en": Words("Tandem: {line}", ("{line}", "Received {at}."), "Open it in Tandem"),
        "de": Words("Tandem: {line}", ("{line}", "Eingegangen am {at}."), "In Tandem öffnen"),
    },
    "digest": {
        "en": Words("Tandem: {count}", ("Hello {name},", "{count} since your last digest:"), "Open Tandem"),
        "de": Words("Tandem: {count}", ("Hallo {name},", "{count} seit Ihrer letzten Zusammenfassung:"),
                    "Tandem öffnen"),
    },
    "booking_requested_guest": {
        "en": Words("Requested: {title}, {when}", (
            "{host} will confirm or decline this request; you will get an e-mail either way.", _MEET["en"],
            "Your note: {note}"), _MANAGE["en"]),
        "de": Words("Angefragt: {title}, {when}", (
            "{host} bestätigt diese Anfrage oder sagt sie ab; Sie bekommen in beiden Fällen eine E-Mail.",
            _MEET["de"], "Ihre Notiz: {note}"), _MANAGE["de"]),
    },
    "booking_requested_host": {
        "en": Words("Booking request: {guest}, {when}", (
            "{guest} <{email}> asks to meet you. Confirm or decline it in Tandem, Settings › Booking.",
            _MEET["en"], _NOTE["en"]), "Confirm or decline"),
        "de": Words("Terminanfrage: {guest}, {when}", (
            "{guest} <{email}> möchte Sie treffen. Bestätigen oder ablehnen in Tandem, Einstellungen › Buchung.",
            _MEET["de"], _NOTE["de"]), "Bestätigen oder ablehnen"),
    },
    "booking_confirmed_guest": {
        "en": Words("Booked: {title}, {when}", (_MEET["en"], _ICS["en"], "Your note: {note}"), _MANAGE["en"]),
        "de": Words("Gebucht: {title}, {when}", (_MEET["de"], _ICS["de"], "Ihre Notiz: {note}"), _MANAGE["de"]),
    },
    "booking_confirmed_host": {
        "en": Words("New booking: {title}, {when}", (_MEET["en"], _ICS["en"], _NOTE["en"]), _CALENDAR["en"]),
        "de": Words("Neue Buchung: {title}, {when}", (_MEET["de"], _ICS["de"], _NOTE["de"]), _CALENDAR["de"]),
    },
    "booking_declined_guest": {
        "en": Words("Declined: {title}, {when}", (
            "{host} cannot meet at {when}. You are welcome to book another time on the same page.",),
            "Book another time"),
        "de": Words("Abgesagt: {title}, {when}", (
            "{host} kann am {when} nicht. Buchen Sie gern eine andere Zeit auf derselben Seite.",),
            "Andere Zeit buchen"),
    },
    "booking_cancelled_host": {
        "en": Words("Cancelled: {guest}, {when}", (
            "{guest} <{email}> cancelled the meeting on {when}; it is removed from your calendar.",),
            _CALENDAR["en"]),
        "de": Words("Abgesagt: {guest}, {when}", (
            "{guest} <{email}> hat das Treffen am {when} abgesagt; es ist aus Ihrem Kalender entfernt.",),
            _CALENDAR["de"]),
    },
    "booking_moved_guest": {
        "en": Words("Moved: {title}, {when}", (_MEET["en"], _ICS["en"], "Your note: {note}"), _MANAGE["en"]),
        "de": Words("Verschoben: {title}, {when}", (_MEET["de"], _ICS["de"], "Ihre Notiz: {note}"), _MANAGE["de"]),
    },
    "booking_moved_host": {
        "en": Words("Moved by the guest: {title}, {when}", (_MEET["en"], _ICS["en"], _NOTE["en"]), _CALENDAR["en"]),
        "de": Words("Vom Gast verschoben: {title}, {when}", (_MEET["de"], _ICS["de"], _NOTE["de"]), _CALENDAR["de"]),
    },
    # leaving Tandem (docs/workspace-lifecycle.md)
    "workspace_export_ready": {
        "en": Words("Your export of {workspace} is ready", (
            "The export of all data of “{workspace}” you asked for is ready: one ZIP with a CSV per kind of "
            "record, the notes, the e-mails and the files.",
            "The link works until {until}; then the ZIP is deleted."), "Download the export"),
        "de": Words("Ihr Export von {workspace} ist fertig", (
            "Der Export aller Daten von „{workspace}“, den Sie angefordert haben, ist fertig: ein ZIP mit einer "
            "CSV-Datei je Art von Datensatz, den Notizen, den E-Mails und den Dateien.",
            "Der Link gilt bis {until}; danach wird das ZIP gelöscht."), "Export herunterladen"),
    },
    "workspace_deleted": {
        "en": Words("The workspace {workspace} was deleted", (
            "An owner deleted the workspace “{workspace}” on Tandem, with everything in it: its boards, "
            "contacts, deals, notes, e-mails and files. You can no longer open it.",
            "Your Tandem account stays, with your other workspaces."), "Open Tandem"),
        "de": Words("Der Arbeitsbereich {workspace} wurde gelöscht", (
            "Ein Eigentümer hat den Arbeitsbereich „{workspace}“ auf Tandem mit allem darin gelöscht: Boards, "
            "Kontakte, Deals, Notizen, E-Mails und Dateien. Sie können ihn nicht mehr öffnen.",
            "Ihr Tandem-Konto bleibt, mit Ihren anderen Arbeitsbereichen."), "Tandem öffnen"),
    },
}
