"""The e-mail texts, in English and Dutch: the kind of news and a link, never a client's data.

They live in the domain (which may not use flask_babel), one %-template per language, and are
chosen by the recipient's language when the mail is written to the outbox.
"""

from __future__ import annotations

from matcher.notifications.models import NotificationKind as K

KIND_WORDS: dict[str, dict[K, str]] = {
    "en": {
        K.NEW_PROPOSALS: "new matches to review",
        K.PROPOSAL_DECIDED: "a match was decided",
        K.CONSENT_NEEDED: "a match waits for consent",
        K.INVITATION: "an employer invited a candidate",
        K.MATCH_DECLINED: "an employer declined a match",
        K.SIGNAL_FEEDBACK: "feedback on your signal",
        K.VETTING_DECIDED: "a decision on your checklist",
        K.EXPIRY_WARNING: "an approval expires soon",
        K.PLACEMENT_DUE: "a placement needs follow-up",
    },
    "nl": {
        K.NEW_PROPOSALS: "nieuwe matches om te beoordelen",
        K.PROPOSAL_DECIDED: "er is over een match besloten",
        K.CONSENT_NEEDED: "een match wacht op toestemming",
        K.INVITATION: "een werkgever heeft een kandidaat uitgenodigd",
        K.MATCH_DECLINED: "een werkgever heeft een match afgewezen",
        K.SIGNAL_FEEDBACK: "terugkoppeling op uw signaal",
        K.VETTING_DECIDED: "een besluit over uw checklist",
        K.EXPIRY_WARNING: "een goedkeuring verloopt binnenkort",
        K.PLACEMENT_DUE: "een plaatsing vraagt om opvolging",
    },
}

SUBJECTS = {"en": "Fairmatch: %(kind)s", "nl": "Fairmatch: %(kind)s"}
BODIES = {
    "en": (
        "You have a new notification in Fairmatch: %(kind)s.\n\n"
        "Sign in to read it: %(link)s\n\n"
        "This message was sent automatically; please do not reply to it.\n"
    ),
    "nl": (
        "U heeft een nieuwe melding in Fairmatch: %(kind)s.\n\n"
        "Meld u aan om deze te lezen: %(link)s\n\n"
        "Dit bericht is automatisch verzonden; u kunt er niet op antwoorden.\n"
    ),
}


def render_mail(kind: K, link: str, language: str) -> tuple[str, str]:
    """The subject and body of the mail announcing a notification, in the given language."""
    lang = language if language in KIND_WORDS else "en"
    values = {"kind": KIND_WORDS[lang][kind], "link": link}
    return SUBJECTS[lang] % values, BODIES[lang] % values
