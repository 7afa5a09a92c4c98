from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from letters.models import Letter, Organiser, Profession
from signatures.models import Block, ModerationEntry
from signatures.moderation import BULK_ACTIONS
from signatures.selectors import QueueState


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
    q = forms.CharField(label=_("Name or email"), required=False, max_length=200)
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, letter: Letter, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["profession"].choices = [("", _("All professions"))] + [
            (p.key, p.label()) for p in letter.professions.all()
        ]
        self.fields["country"].choices = [("", _("All countries")), *countries]

    def filters(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("state", "profession", "country", "notable", "q")}

    def describe(self) -> str:
        """The filters in use, for the audit log ("all signatures" when none)."""
        used = [f"{name}={value}" for name, value in self.filters().items() if value]
        return ", ".join(used) or "all signatures"


class IdsField(forms.TypedMultipleChoiceField):
    """Signature ids from the queue's checkboxes; the service ignores ids of other letters."""

    def valid_value(self, value) -> bool:
        return str(value).isdigit() and len(str(value)) < 19


class ModerationForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=BULK_ACTIONS)
    ids = IdsField(coerce=int, required=False, choices=[])
    all_matching = forms.BooleanField(
        label=_("Apply to every signature matching the filters, not only the ticked ones"),
        required=False,
    )
    reason = forms.CharField(label=_("Reason (required to remove)"), required=False, max_length=300)
    # "Every matching" acts only once the organiser has seen how many, and confirmed.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if (
            data.get("action") == ModerationEntry.Action.REMOVE
            and not data.get("reason", "").strip()
        ):
            self.add_error("reason", _("Say why these signatures are removed."))
        if not data.get("ids") and not data.get("all_matching"):
            raise forms.ValidationError(_("Tick at least one signature."))
        return data


class LetterSettingsForm(forms.ModelForm):
    class Meta:
        model = Letter
        fields = ["title_en", "title_ar", "body_en", "body_ar", "featured", "is_open", "moderation"]
        widgets = {
            "body_en": forms.Textarea(attrs={"rows": 14}),
            "body_ar": forms.Textarea(attrs={"rows": 14, "dir": "rtl", "lang": "ar"}),
            "title_ar": forms.TextInput(attrs={"dir": "rtl", "lang": "ar"}),
        }


ProfessionFormSet = inlineformset_factory(
    Letter,
    Profession,
    fields=["key", "label_en", "label_ar", "order"],
    extra=2,
    can_delete=True,
)


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Organiser.Role.choices)


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
