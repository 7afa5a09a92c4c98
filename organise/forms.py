from datetime import timedelta

from django import forms
from django.conf import settings
from django.core.validators import URLValidator, validate_email
from django.forms import BaseInlineFormSet, inlineformset_factory
from django.utils import timezone, translation
from django.utils.functional import lazy
from django.utils.text import slugify
from django.utils.translation import get_language_info, gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from ops.addresses import canonical_email, normalise_email
from petition.defaults import PROFESSIONS
from petition.images import reencode
from petition.models import (
    UPDATES_CONSENT_DEFAULT,
    AuditEntry,
    Letter,
    Organiser,
    Profession,
    Source,
    direction,
    pick_label,
)
from petition.refs import clean_ref
from signatures.models import Block, Signature
from signatures.moderation import BULK_ACTIONS
from signatures.normalise import clean_text, web_address
from signatures.selectors import QueueState, Review


class QueueFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All states")), *QueueState.choices],
    )
    profession = forms.ChoiceField(label=_("Profession"), required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    notable = forms.ChoiceField(
        label=_("Notable"),
        required=False,
        choices=[("", _("Everyone")), ("1", _("Notable")), ("verified", _("Verified notable"))],
    )
    review = forms.ChoiceField(
        label=_("Review"), required=False, choices=[("", _("Everything")), *Review.choices]
    )
    q = forms.CharField(label=_("Name or email"), required=False, max_length=200)
    order = forms.ChoiceField(
        label=_("Order"),
        required=False,
        choices=[("", _("Newest first")), ("oldest", _("Oldest first"))],
    )
    # The keyset cursor: the id the next page continues from (below it, or above it when
    # the oldest come first).
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [("", _("All professions"))] + [
            (p.key, p.label()) for p in letter.professions.all()
        ]
        self.fields["country"].choices = [("", _("All countries")), *countries]

    def filters(self) -> dict:
        keys = ("state", "profession", "country", "notable", "q", "review")
        return {k: self.cleaned_data[k] for k in keys}

    def describe(self) -> str:
        """The filters in use, for the audit log ("all signatures" when none)."""
        used = [f"{name}={value}" for name, value in self.filters().items() if value]
        return ", ".join(used) or "all signatures"


class IdsField(forms.TypedMultipleChoiceField):
    """Signature ids from the queue's checkboxes; the service ignores ids of other letters."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit() and len(str(value)) < 19


class ModerationForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), choices=[("", _("Choose an action…")), *BULK_ACTIONS]
    )
    ids = IdsField(coerce=int, required=False, choices=[])
    all_matching = forms.BooleanField(
        label=_("Apply to every signature matching the filters, not only the ticked ones"),
        required=False,
    )
    reason = forms.CharField(label=_("Reason (required to remove)"), required=False, max_length=300)
    # "Every matching" acts only once the organiser has seen how many, and confirmed.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, letter=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Approving is the everyday action only where an organiser approves each signature;
        # elsewhere no action is chosen for the organiser (a wrong default acts on many).
        if letter is not None and letter.moderation == letter.Moderation.PRE:
            self.fields["action"].initial = AuditEntry.Action.APPROVE

    def clean(self):
        data = super().clean()
        if data.get("action") == AuditEntry.Action.REMOVE and not data.get("reason", "").strip():
            self.add_error("reason", _("Say why these signatures are removed."))
        if not data.get("ids") and not data.get("all_matching"):
            raise forms.ValidationError(_("Tick at least one signature."))
        return data


# The furthest a publish, close or send time may be: beyond it a date is a typo (and year
# 9999 in a far time zone is year 10000 in UTC, which PostgreSQL stores and Python cannot read).
SCHEDULE_HORIZON = timedelta(days=3653)
# What a datetime-local input sends (the first), and what else a hand-typed time may be.
DATETIME_INPUTS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def language_name(code: str) -> str:
    """A language's name in the reader's language ("French", "français" for a French reader)."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def letter_language_choices(exclude=()) -> list[tuple[str, str]]:
    return [
        (code, language_name(code)) for code in settings.LETTER_LANGUAGES if code not in exclude
    ]


def text_attrs(language: str) -> dict:
    return {"lang": language, "dir": direction(language)}


class LetterSettingsForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = [
            "featured",
            "moderation",
            "organiser_name",
            "contact",
            "published_on",
            "goal",
            "protected_names",
            "verification_note",
            "data_licence",
            "under_attack",
        ]
        widgets = {
            "protected_names": forms.Textarea(attrs={"rows": 5}),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "verification_note": forms.Textarea(attrs={"rows": 5}),
        }
        help_texts = {
            "protected_names": _(
                "A signature with one of these names (or a verified notable's) is held until "
                "an organiser accepts it. Case, accents and Arabic diacritics do not matter."
            ),
            "verification_note": _(
                "Shown at the letter's “How names are verified” page (Markdown). Empty: a "
                "sensible default."
            ),
            "under_attack": _(
                "For a wave of bots from many addresses: every signer's browser solves a short "
                "check (a second or two, no third party) before the signature is taken. "
                "Without it, only those over a per-address limit are asked. Audited."
            ),
        }

    header_image = forms.FileField(
        label=_("Header image or logo (PNG, JPEG, WebP; at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["header_image"].initial = bool(self.instance.header_image)

    def clean_contact(self) -> str:
        contact = self.cleaned_data.get("contact", "").strip()
        if contact.lower().startswith("mailto:"):
            contact = contact[len("mailto:") :]
        if not contact:
            return ""
        try:
            if contact.lower().startswith(("http://", "https://")):
                URLValidator(schemes=["http", "https"])(contact)
            else:
                validate_email(contact)
        except forms.ValidationError as exc:
            raise forms.ValidationError(
                _("Give an email address or a web address (https://…).")
            ) from exc
        return contact

    def clean_header_image(self):
        upload = self.cleaned_data.get("header_image")
        if upload is False:  # "clear" ticked
            return False
        return reencode(upload) if upload else None

    def save(self, commit: bool = True) -> Letter:
        image = self.cleaned_data.get("header_image")
        if image is False:
            self.instance.header_image, self.instance.header_image_type = None, ""
        elif image:
            self.instance.header_image, self.instance.header_image_type = image
        return super().save(commit=commit)


class ProfessionForm(forms.ModelForm):
    """A profession's key, order, and its name in the letter's first language (the other
    languages' names are on each language's page)."""

    label = forms.CharField(max_length=80)

    class Meta:
        model = Profession
        fields = ["key", "order"]
        widgets = {
            "key": forms.TextInput(attrs={"aria-label": _("Key")}),
            "order": forms.NumberInput(attrs={"aria-label": _("Order")}),
        }

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language
        self.fields["label"].widget.attrs.update(
            {"aria-label": language_name(language), **text_attrs(language)}
        )
        self.fields["label"].initial = (self.instance.labels or {}).get(language, "")

    def save(self, commit: bool = True) -> Profession:
        self.instance.labels = {
            **(self.instance.labels or {}),
            self.language: self.cleaned_data["label"].strip(),
        }
        return super().save(commit=commit)


class _ProfessionFormSet(BaseInlineFormSet):
    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "language": self.instance.language}

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = _("Delete")


ProfessionFormSet = inlineformset_factory(
    Letter,
    Profession,
    form=ProfessionForm,
    formset=_ProfessionFormSet,
    fields=["key", "order"],
    extra=2,
    can_delete=True,
)


class LetterTextForm(forms.Form):
    """The letter in one language: title, statement, the sign form's consent wording, and
    the professions' names."""

    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Statement (Markdown)"), max_length=60000)
    updates_wording = forms.CharField(
        label=_("Consent to updates, as the sign form words it"),
        required=False,
        max_length=300,
    )

    def __init__(self, *args, letter: Letter, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter, self.language = letter, language
        attrs = text_attrs(language)
        self.fields["title"].widget.attrs.update(attrs)
        self.fields["body"].widget = forms.Textarea(attrs={**attrs, "rows": 16})
        self.fields["updates_wording"].widget.attrs.update(attrs)
        text = letter.texts_by_language().get(language)
        self.fields["title"].initial = text.title if text else ""
        self.fields["body"].initial = text.body if text else ""
        self.fields["updates_wording"].initial = (letter.updates_wording or {}).get(language, "")
        with translation.override(language):  # the default as this language's readers see it
            default = str(UPDATES_CONSENT_DEFAULT)
        self.fields["updates_wording"].help_text = _(
            "Leave empty for the default: “%(default)s”"
        ) % {"default": default}
        self.professions = list(letter.professions.all())
        for profession in self.professions:
            self.fields[f"label_{profession.pk}"] = forms.CharField(
                label=profession.label(letter.language),
                required=False,
                max_length=80,
                initial=(profession.labels or {}).get(language, ""),
                widget=forms.TextInput(attrs=attrs),
            )

    def profession_fields(self):
        return [self[f"label_{p.pk}"] for p in self.professions]

    def labels(self) -> dict[int, str]:
        return {p.pk: self.cleaned_data[f"label_{p.pk}"].strip() for p in self.professions}


class AddLanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Add a language"))

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = letter_language_choices(exclude=letter.languages())


class LetterLifeForm(forms.Form):
    """Moving a letter on: one of the moves its current state allows."""

    to = forms.ChoiceField(choices=Letter.State.choices)


class LetterScheduleForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = ["publish_at", "closes_at"]
        widgets = {
            name: forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUTS[0])
            for name in ("publish_at", "closes_at")
        }
        help_texts = {
            "publish_at": _("Empty: you publish it yourself."),
            "closes_at": _("Empty: it stays open until you close it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("publish_at", "closes_at"):
            self.fields[name].input_formats = DATETIME_INPUTS

    def clean(self):
        data = super().clean()
        publish_at, closes_at = data.get("publish_at"), data.get("closes_at")
        now = timezone.now()
        for name, when in (("publish_at", publish_at), ("closes_at", closes_at)):
            if name in self.changed_data and when and when <= now:
                self.add_error(name, _("Choose a time in the future."))
            elif when and when > now + SCHEDULE_HORIZON:
                self.add_error(name, _("Choose a time within the next ten years."))
        if publish_at and closes_at and closes_at <= publish_at:
            self.add_error("closes_at", _("The letter must close after it is published."))
        return data


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Organiser.Role.choices)
    language = forms.ChoiceField(label=_("Language of the invitation"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            (code, get_language_info(code)["name_local"]) for code in settings.INTERFACE_LANGUAGES
        ]
        current = (translation.get_language() or "en").split("-")[0]
        self.fields["language"].initial = (
            current if current in settings.INTERFACE_LANGUAGES else "en"
        )

    def clean_language(self) -> str:
        return self.cleaned_data["language"] or self.fields["language"].initial


class BlockForm(forms.ModelForm):
    class Meta:
        model = Block
        fields = ["kind", "value", "reason"]

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.letter = letter

    def validate_unique(self):
        super().validate_unique()
        if Block.objects.filter(
            letter=self.instance.letter, kind=self.instance.kind, value=self.instance.value
        ).exists():
            self.add_error("value", _("This block already exists."))


class UpdateForm(forms.Form):
    """An update's subject and Markdown body in each of the letter's languages; the first
    language is required (it is the fallback), the others optional."""

    public = forms.BooleanField(
        label=_("Also publish it under “Updates” on the letter page once sent"), required=False
    )

    def __init__(self, *args, letter: Letter, update=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.languages = letter.languages()
        existing = {text.language: text for text in update.texts.all()} if update else {}
        if update:
            self.fields["public"].initial = update.public
        for index, language in enumerate(self.languages):
            name = language_name(language)
            attrs = text_attrs(language)
            text = existing.get(language)
            self.fields[f"subject_{language}"] = forms.CharField(
                label=_("Subject (%(language)s)") % {"language": name},
                max_length=200,
                required=index == 0,
                initial=text.subject if text else "",
                widget=forms.TextInput(attrs=attrs),
            )
            self.fields[f"body_{language}"] = forms.CharField(
                label=_("Message (%(language)s, Markdown)") % {"language": name},
                max_length=20000,
                required=index == 0,
                initial=text.body if text else "",
                widget=forms.Textarea(attrs={**attrs, "rows": 12}),
            )

    def clean(self):
        data = super().clean()
        for language in self.languages[1:]:
            subject, body = data.get(f"subject_{language}"), data.get(f"body_{language}")
            if bool(subject) != bool(body):
                self.add_error(
                    f"body_{language}" if subject else f"subject_{language}",
                    _("Give both a subject and a message in this language, or neither."),
                )
        return data

    def texts(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            language: (data[f"subject_{language}"].strip(), data[f"body_{language}"])
            for language in self.languages
            if data.get(f"subject_{language}") and data.get(f"body_{language}")
        }


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(
        label=_("Send at (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUTS[0]),
        input_formats=DATETIME_INPUTS,
    )

    def clean_send_at(self):
        when = self.cleaned_data["send_at"]
        if when <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        if when > timezone.now() + SCHEDULE_HORIZON:
            raise forms.ValidationError(_("Choose a time within the next ten years."))
        return when


class SourceForm(forms.ModelForm):
    """A labelled share link for a partner; the code defaults to the label, slugified."""

    class Meta:
        model = Source
        fields = ["label", "key"]
        help_texts = {
            "key": _("Letters, digits and dashes; leave empty to make it from the partner's name.")
        }

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.letter = letter
        self.fields["key"].required = False

    def clean_key(self) -> str:
        key = clean_ref(self.cleaned_data.get("key") or slugify(self.data.get("label", ""))[:40])
        if not key:
            raise forms.ValidationError(_("Give a code of letters, digits and dashes."))
        if Source.objects.filter(letter=self.instance.letter, key=key).exists():
            raise forms.ValidationError(_("This letter already has a link with this code."))
        return key


class AddOnBehalfForm(forms.Form):
    """A name an agent or publicist sent: the person gets an email to confirm or decline."""

    name = forms.CharField(label=_("Full name"), max_length=120)
    email = forms.EmailField(
        label=_("Their own email address"),
        help_text=_("They confirm from this inbox; nothing is listed or counted before."),
    )
    profession = forms.ChoiceField(label=_("Profession"))
    role = forms.CharField(label=_("Role"), max_length=120, required=False)
    country = forms.ChoiceField(label=_("Country"), required=False)
    link = forms.URLField(
        label=_("Link to their work"), max_length=500, required=False, assume_scheme="https"
    )
    show_name = forms.BooleanField(label=_("List the name publicly"), required=False, initial=True)
    language = forms.ChoiceField(label=_("Language of the email"), choices=settings.LANGUAGES)

    def __init__(self, *args, letter: Letter, check_existing: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.letter, self.check_existing = letter, check_existing  # an import sorts those out
        self.professions = {p.key: p for p in letter.professions.all()}
        self.fields["profession"].choices = [("", _("Choose…"))] + [
            (p.key, p.label()) for p in self.professions.values()
        ]
        self.fields["country"].choices = [("", _("Not given")), *countries]

    def clean_name(self) -> str:
        name = clean_text(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give the person's name."))
        return name

    def clean_email(self) -> str:
        email = normalise_email(self.cleaned_data["email"])
        if not self.check_existing:
            return email
        if Signature.objects.filter(letter=self.letter, email_key=canonical_email(email)).exists():
            raise forms.ValidationError(
                _("This address has already signed or been asked: see it in the queue.")
            )
        return email

    def clean_link(self) -> str:
        return web_address(self.cleaned_data.get("link", ""))

    def cleaned_signing(self) -> dict:
        data = dict(self.cleaned_data)
        data["profession"] = self.professions[data["profession"]]
        return data


class WallForm(forms.Form):
    """Positions on the notable wall: a number puts a verified notable at the top, in that
    order; empty leaves them with the other verified notables."""

    def __init__(self, *args, notables, **kwargs):
        super().__init__(*args, **kwargs)
        self.notables = notables
        for signature in notables:
            self.fields[f"position_{signature.pk}"] = forms.IntegerField(
                label=signature.name,
                required=False,
                min_value=1,
                max_value=999,
                initial=signature.wall_position,
                widget=forms.NumberInput(attrs={"aria-label": signature.name}),
            )

    def positions(self) -> dict[int, int | None]:
        return {s.pk: self.cleaned_data[f"position_{s.pk}"] for s in self.notables}


def _slug_help() -> str:
    # The path is isolated (U+2066…U+2069) so it reads left to right in Arabic too.
    path = "\u2066/letters/<this>/\u2069"
    return gettext("The letter's address: %(path)s. Lower-case letters, digits, dashes.") % {
        "path": path
    }


class NewLetterForm(forms.ModelForm):
    """A new letter: its address, its first language and its text there, how it is
    moderated, who organises it, its goal. It starts with the creative professions
    (petition/defaults.py); owners add languages and edit the rest afterwards."""

    language = forms.ChoiceField(label=_("First language"), choices=letter_language_choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Statement (Markdown)"),
        max_length=60000,
        widget=forms.Textarea(attrs={"rows": 14}),
    )

    class Meta:
        model = Letter
        fields = ["slug", "language", "moderation", "organiser_name", "contact", "goal"]
        help_texts = {"slug": lazy(_slug_help, str)()}

    professions = forms.MultipleChoiceField(
        label=_("Professions signers choose from"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    more_professions = forms.CharField(
        label=_("Other professions, one a line"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In the letter's first language; you can rename and reorder them later."),
    )

    field_order = ["slug", "language", "title", "body"]
    clean_contact = LetterSettingsForm.clean_contact

    def __init__(self, *args, source: Letter | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if source is not None:
            self.offered = [(p.key, p.labels) for p in source.professions.all()]
        else:
            self.offered = list(PROFESSIONS)
        if (
            "language" not in self.initial
            and translation.get_language() in settings.LETTER_LANGUAGES
        ):
            self.initial["language"] = translation.get_language()  # the organiser's, likely
        language = self.data.get("language") or self.initial.get("language") or "en"
        self.fields["professions"].choices = [
            (key, pick_label(labels, language, default=key)) for key, labels in self.offered
        ]
        self.fields["professions"].initial = [key for key, _labels in self.offered]

    def clean_more_professions(self) -> list[str]:
        lines = self.cleaned_data.get("more_professions", "").splitlines()
        return list(dict.fromkeys(clean_text(line)[:80] for line in lines if clean_text(line)))

    def clean(self):
        data = super().clean()
        if not data.get("professions") and not data.get("more_professions"):
            self.add_error("professions", _("Give the letter at least one profession."))
        return data

    def chosen_professions(self) -> list[tuple[str, dict]]:
        """(key, names per language): the ticked ones in their order, then the new ones in
        the first language, each with a key of its own."""
        ticked = set(self.cleaned_data["professions"])
        chosen = [(key, labels) for key, labels in self.offered if key in ticked]
        keys = {key for key, _labels in chosen}
        for name in self.cleaned_data["more_professions"]:
            base = slugify(name)[:36] or "profession"
            key, n = base, 2
            while key in keys:
                key, n = f"{base}-{n}", n + 1
            keys.add(key)
            chosen.append((key, {self.cleaned_data["language"]: name}))
        return chosen

    @classmethod
    def initial_copying(cls, source: Letter) -> dict:
        """A duplicate starts as the letter it copies, under a new address (its other
        languages are copied when it is created)."""
        copied = {field: getattr(source, field) for field in cls.Meta.fields if field != "slug"}
        text = source.text(source.language)
        return {
            **copied,
            "slug": f"{source.slug}-copy"[:80],
            "title": text.title,
            "body": text.body,
        }
