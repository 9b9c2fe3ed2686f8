"""The preferences form: e-mail language and the notifications a user turned off."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from notifications import selectors


class RuleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


class PreferenceForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES)
    receive = RuleChoiceField(
        label=_("Notifications I receive"),
        queryset=selectors.optional_rules(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Untick what you do not want. Mandatory notifications are always sent."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receive"].queryset = selectors.optional_rules(user)
