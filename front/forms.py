from disposable_email_domains import blocklist as disposable_domains
from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from ops.addresses import normalise_email
from petition.models import Letter, Profession
from petition.refs import clean_ref
from signatures.defences import started_token
from signatures.normalise import clean_text, web_address
from signatures.selectors import BadCursor, decode_cursor

from .countries import CountryField


class ProfessionChoiceField(forms.ChoiceField):
    """One of the letter's professions, cleaned to the Profession. Built from the letter's
    already loaded professions: no query per form (there is a form on every signature)."""

    def set_professions(self, professions: list[Profession]) -> None:
        self._by_key = {p.key: p for p in professions}
        # Labels are built only if the form is rendered; a submission only looks keys up.
        self.choices = lambda: [("", _("Choose…")), *((p.key, p.label()) for p in professions)]

    def valid_value(self, value) -> bool:
        return value in self._by_key

    def clean(self, value) -> Profession | None:
        key = super().clean(value)
        return self._by_key[key] if key else None


class SignForm(forms.Form):
    signing_as = forms.ChoiceField(
        label=_("I am signing"),
        choices=[("person", _("as myself")), ("organisation", _("for an organisation"))],
        initial="person",
        required=False,
        widget=forms.RadioSelect,
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        required=False,
        help_text=_(
            "When you sign for an organisation: its name. Your own name and role say who "
            "signs for it."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    name = forms.CharField(
        label=_("Full name"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    # Addresses and links read left to right in every language ("bad@" must not show as "@bad").
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("We send one email to confirm. It is never shown publicly."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "dir": "ltr"}),
    )
    profession = ProfessionChoiceField(label=_("Profession"))
    role = forms.CharField(
        label=_("Role"),
        max_length=120,
        required=False,
        help_text=_("For example “Novelist” or “Principal cellist, City Orchestra”."),
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    country = CountryField(
        label=_("Country"),
        required=False,
        widget=forms.Select(attrs={"autocomplete": "country"}),
    )
    link = forms.URLField(
        label=_("Link to your work"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url", "dir": "ltr"}),
    )
    show_name = forms.BooleanField(label=_("List my name publicly"), required=False, initial=True)
    public_figure = forms.BooleanField(
        label=_("I'm signing as a public figure"),
        required=False,
        help_text=_(
            "An organiser checks it against an official profile before listing you among "
            "the notable signers."
        ),
    )
    claim_link = forms.URLField(
        label=_("Link to your official profile"),
        max_length=500,
        required=False,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"autocomplete": "url", "dir": "ltr"}),
    )
    # Unticked unless the signer ticks it; the wording is the letter's (Letter.updates_label).
    updates = forms.BooleanField(required=False, initial=False)
    # Bot traps (defences.py): a field people never see, and when the form was rendered.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)
    # The solved human check (signatures/defences.py), when the form asked for one.
    human = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    # The `?ref=` of the link the signer followed (petition/refs.py); never an error.
    ref = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].set_professions(list(letter.professions.all()))
        self.fields["updates"].label = letter.updates_label()
        if not self.is_bound:
            self.fields["started"].initial = started_token()

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        local, _at, domain = email.rpartition("@")
        if '"' in local or "\\" in local:
            # Quoted local parts are valid but deliver to the same inbox as the unquoted
            # address, which would let one person sign many times.
            raise forms.ValidationError(_("Please enter your address without quotation marks."))
        try:
            validate_email(email)
        except forms.ValidationError as exc:
            raise forms.ValidationError(_("Enter a valid email address.")) from exc
        if domain in disposable_domains:
            raise forms.ValidationError(
                _("Please use a permanent address: a disposable one cannot confirm your signature.")
            )
        return email

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Please give your name."))
        return name

    def clean_signing_as(self) -> str:
        return self.cleaned_data.get("signing_as") or "person"

    def clean_organisation(self) -> str:
        return clean_text(self.cleaned_data.get("organisation", ""))

    def clean_claim_link(self) -> str:
        return web_address(self.cleaned_data.get("claim_link", ""))

    def clean(self):
        data = super().clean()
        if data.get("signing_as") == "organisation" and not data.get("organisation"):
            self.add_error("organisation", _("Give the name of the organisation you sign for."))
        if data.get("signing_as") != "organisation":
            data["organisation"] = ""
        if data.get("public_figure") and not data.get("claim_link"):
            self.add_error(
                "claim_link", _("Give a link to an official profile, so an organiser can check.")
            )
        if not data.get("public_figure"):
            data["claim_link"] = ""
        return data

    def clean_ref(self) -> str:
        return clean_ref(self.cleaned_data.get("ref"))

    def clean_role(self) -> str:
        return clean_text(self.cleaned_data.get("role", ""))

    def clean_link(self) -> str:
        return web_address(self.cleaned_data.get("link", ""))


class SignatureFilterForm(forms.Form):
    """The public list's filters, shared by the page and the JSON API."""

    q = forms.CharField(label=_("Name"), max_length=100, required=False)
    profession = forms.ChoiceField(label=_("Profession"), required=False)
    country = CountryField(label=_("Country"), required=False)
    notable = forms.ChoiceField(
        label=_("Notable signers only"),
        required=False,
        choices=[("", _("Everyone")), ("1", _("Notable only")), ("0", _("Everyone"))],
    )
    cursor = forms.CharField(required=False, max_length=200, widget=forms.HiddenInput)

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [("", _("All professions"))] + [
            (p.key, p.label()) for p in letter.professions.all()
        ]

    def clean_q(self) -> str:
        return clean_text(self.cleaned_data.get("q", ""))

    def clean_cursor(self) -> str:
        cursor = self.cleaned_data.get("cursor", "")
        if cursor:
            try:
                decode_cursor(cursor)
            except BadCursor as exc:
                raise forms.ValidationError(_("This page link is not valid.")) from exc
        return cursor

    def selector_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "q": data["q"],
            "profession": data["profession"],
            "country": data["country"],
            "notable_only": data["notable"] == "1",
            "cursor": data["cursor"],
        }


class ManageForm(forms.Form):
    """ "Manage my signature": what a signer may change from their own link. A new name or
    profession needs a fresh confirmation (and goes through the impersonation hold)."""

    name = SignForm.base_fields["name"]
    profession = ProfessionChoiceField(label=_("Profession"))
    role = SignForm.base_fields["role"]
    country = CountryField(label=_("Country"), required=False)
    link = SignForm.base_fields["link"]
    show_name = forms.BooleanField(label=_("List my name publicly"), required=False)
    updates = forms.BooleanField(label=_("Email me updates about this letter"), required=False)

    def __init__(self, *args, signature, **kwargs):
        initial = {
            "name": signature.name,
            "profession": signature.profession.key,
            "role": signature.role,
            "country": signature.country.code if signature.country else "",
            "link": signature.link,
            "show_name": signature.show_name,
            "updates": signature.updates,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.signature = signature
        self.fields["profession"].set_professions(list(signature.letter.professions.all()))
        self.fields["updates"].label = signature.letter.updates_label()

    clean_name = SignForm.clean_name
    clean_role = SignForm.clean_role
    clean_link = SignForm.clean_link

    def needs_confirmation(self) -> bool:
        data = self.cleaned_data
        return (
            data["name"] != self.signature.name
            or data["profession"].pk != self.signature.profession_id
            or self.signature.state != self.signature.State.CONFIRMED
        )
