"""Email addresses folded: where mail goes (`normalise_email`), and the key that makes one
inbox one signature, one suppression, one anything (`canonical_email`)."""

import re
import unicodedata

# An address inside free text (a mail server's reply, a log line), to take out of it.
ADDRESS_IN_TEXT = re.compile(r"[^\s@<>\"'(),;:\[\]]+@[^\s@<>\"'(),;:\[\]]+")

# Providers that ignore dots and +tags in the local part: one person, one signature.
_DOTLESS_PROVIDERS = {"gmail.com": "gmail.com", "googlemail.com": "gmail.com"}
_TAGGED_PROVIDERS = {
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "live.com",
    "icloud.com",
    "me.com",
    "fastmail.com",
    "protonmail.com",
    "proton.me",
}


def normalise_email(email: str) -> str:
    """Where mail is sent: compatibility forms folded (NFKC: a fullwidth ｇｍａｉｌ.com is
    gmail.com, which is where a mail server delivers it), trimmed, lower-cased, the domain in
    its ASCII (IDNA) form. Quoted local parts never get here: the form refuses them."""
    email = unicodedata.normalize("NFKC", email or "").strip().lower()
    local, at, domain = email.rpartition("@")
    if not at:
        return email
    try:
        domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        pass  # not a valid domain name: the form's validation says so
    return f"{local}@{domain}"


# Providers that deliver anything@user.<provider> to user@<provider> (Fastmail's subdomain
# addressing): one inbox, as Gmail's dots are.
_SUBDOMAIN_PROVIDERS = {"fastmail.com", "fastmail.fm"}


def canonical_email(email: str) -> str:
    """The key that makes one signature per person and letter (one per inbox)."""
    local, _, domain = normalise_email(email).rpartition("@")
    user, _, provider = domain.partition(".")
    if provider in _SUBDOMAIN_PROVIDERS and user:
        local, domain = user, provider
    if domain in _TAGGED_PROVIDERS:
        local = local.split("+", 1)[0]
    if domain in _DOTLESS_PROVIDERS:
        local = local.replace(".", "")
        domain = _DOTLESS_PROVIDERS[domain]
    return f"{local}@{domain}"
