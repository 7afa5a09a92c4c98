"""The letter domain's models: the letter and its parts (letter.py), its audit log
(audit.py), and the mail that is not signers' (mail.py)."""

from .audit import AuditEntry
from .letter import (
    RTL_LANGUAGES,
    UPDATES_CONSENT_DEFAULT,
    Letter,
    LetterManager,
    LetterQuerySet,
    LetterText,
    Organiser,
    Profession,
    Source,
    direction,
    new_private_key,
    pick_label,
)
from .mail import MailEvent, OutgoingMail, Suppression

__all__ = [
    "RTL_LANGUAGES",
    "UPDATES_CONSENT_DEFAULT",
    "AuditEntry",
    "Letter",
    "LetterManager",
    "LetterQuerySet",
    "LetterText",
    "MailEvent",
    "OutgoingMail",
    "Organiser",
    "Profession",
    "Source",
    "Suppression",
    "direction",
    "new_private_key",
    "pick_label",
]
