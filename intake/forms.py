import re
from datetime import date

from django import forms
from django.utils import timezone, translation
from django.utils.dates import MONTHS as MONTH_NAMES
from django.utils.translation import gettext_lazy as _

from intake import consent
from intake.models import Case, Document, Treatment

# Django's own month names, translated with the page.
MONTHS = list(MONTH_NAMES.items())


def month_choices():
    return [("", _("Month")), *MONTHS]


def year_choices():
    this_year = timezone.localdate().year
    return [("", _("Year")), *((y, str(y)) for y in range(this_year, this_year - 90, -1))]


class MonthYearWidget(forms.MultiWidget):
    """A month and a year as two selects: easier than a date picker on every phone, and it works
    without JavaScript."""

    template_name = "widgets/month_year.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        # Choices as functions: copied by reference with every form, and the year list stays current.
        widgets = {
            "month": forms.Select(
                attrs={"aria-label": _("Month"), "class": "form-select"}, choices=month_choices
            ),
            "year": forms.Select(
                attrs={"aria-label": _("Year"), "class": "form-select"}, choices=year_choices
            ),
        }
        super().__init__(widgets, attrs)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # Form libraries put their classes on each part as if it were a text box; both parts are
        # selects. Django marks a field with errors aria-invalid.
        invalid = (attrs or {}).get("aria-invalid") == "true"
        for subwidget in context["widget"]["subwidgets"]:
            subwidget["attrs"]["class"] = "form-select is-invalid" if invalid else "form-select"
        # Bootstrap shows the message beside the field only after an element marked is-invalid.
        context["widget"]["invalid"] = invalid
        return context

    def decompress(self, value):
        if isinstance(value, str) and value:
            value = date.fromisoformat(value)
        if isinstance(value, date):
            return [value.month, value.year]
        return [None, None]


class YearField(forms.IntegerField):
    """A year from 1900 to next year. The upper end moves with the calendar, so it is checked here
    rather than fixed as a max_value when the form class is defined."""

    FIRST = 1900
    # The example is this year's: a year written into the sentence would need translating again.
    message = _("Please enter a year like %(year)s.")

    def to_python(self, value):
        try:
            return super().to_python(value)
        except forms.ValidationError:
            raise self._refusal("invalid") from None

    def validate(self, value):
        super().validate(value)
        if value is not None and not (self.FIRST <= value <= timezone.localdate().year + 1):
            raise self._refusal("year_range")

    def _refusal(self, code: str) -> forms.ValidationError:
        return forms.ValidationError(self.message, code=code, params={"year": timezone.localdate().year})


class MonthYearField(forms.MultiValueField):
    widget = MonthYearWidget

    def __init__(self, *, required=True, **kwargs):
        month_message = _("Please choose a month from the list.")
        fields = (
            forms.IntegerField(
                min_value=1,
                max_value=12,
                required=False,
                error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), month_message),
            ),
            YearField(required=False),
        )
        kwargs.setdefault("error_messages", {"required": _("Please choose the month and the year.")})
        super().__init__(fields=fields, required=required, require_all_fields=False, **kwargs)

    def compress(self, data_list):
        if not data_list or not any(data_list):
            return None
        month, year = data_list
        if not month or not year:
            raise forms.ValidationError(_("Please choose both the month and the year."), code="incomplete")
        value = date(year, month, 1)  # both parts are in range: checked by their own fields
        if value > timezone.localdate():
            raise forms.ValidationError(_("This date is in the future. Please check the month and year."))
        return value


class StepForm(forms.ModelForm):
    """Base for the pages of the case form: each edits some fields of one unsaved Case."""

    title = ""


def plain_words(form_class):
    """Plain words instead of "This field is required", and no "---------" among radio buttons.

    Applied once to the class, not on every instance: demo data builds 100,000 forms."""
    for field in form_class.base_fields.values():
        if isinstance(field.widget, forms.Textarea):
            field.widget.attrs.setdefault("rows", 4)
        if isinstance(field.widget, forms.RadioSelect):
            field.choices = [(value, label) for value, label in field.choices if value != ""]
        if field.error_messages.get("required") == forms.Field.default_error_messages["required"]:
            is_choice = isinstance(field, forms.ChoiceField)
            field.error_messages["required"] = (
                _("Please choose an answer.") if is_choice else _("Please fill this in.")
            )
    return form_class


@plain_words
class AboutYouForm(StepForm):
    title = _("About you")
    contact_email_confirm = forms.EmailField(
        label=_("Type your email again"), help_text=_("So we can be sure we have it right.")
    )

    class Meta:
        model = Case
        fields = [
            "contact_name",
            "contact_email",
            "contact_email_confirm",
            "contact_phone",
            "relationship",
            "contact_preference",
            "preferred_language",
        ]
        labels = {
            "contact_name": _("Your name"),
            "contact_email": _("Your email"),
            "contact_phone": _("Your phone number (optional)"),
            "relationship": _("How are you related to the patient?"),
            "contact_preference": _("How should we contact you?"),
            "preferred_language": _("Which language do you prefer?"),
        }
        help_texts = {
            "contact_email": _("We send your reference code and updates here. We never share it."),
            "contact_phone": _("Only if you would like a call or a text."),
        }
        widgets = {
            "relationship": forms.RadioSelect,
            "contact_preference": forms.RadioSelect,
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "contact_email_confirm": forms.EmailInput(attrs={"autocomplete": "off"}),
            "contact_name": forms.TextInput(attrs={"autocomplete": "name"}),
            "contact_phone": forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # Offered first: the language of the page the family is reading.
            self.initial["preferred_language"] = translation.get_language()

    def clean_contact_email(self):
        return self.cleaned_data["contact_email"].strip().lower()

    def clean_contact_email_confirm(self):
        return self.cleaned_data["contact_email_confirm"].strip().lower()

    def clean_contact_phone(self):
        phone = self.cleaned_data["contact_phone"].strip()
        if phone and not re.fullmatch(r"\+?[\d\s().-]{7,}", phone):
            raise forms.ValidationError(_("Please enter a phone number using digits, like 555 123 4567."))
        if phone and len(re.sub(r"\D", "", phone)) < 7:
            raise forms.ValidationError(_("This phone number looks too short. Please check it."))
        return phone

    def clean(self):
        data = super().clean()
        email, confirm = data.get("contact_email"), data.get("contact_email_confirm")
        if email and confirm and email != confirm:
            self.add_error(
                "contact_email_confirm", _("The two email addresses are not the same. Please check them.")
            )
        if data.get("contact_preference") in (
            Case.ContactPreference.PHONE,
            Case.ContactPreference.TEXT,
        ) and not (data.get("contact_phone")):
            self.add_error("contact_phone", _("Please give a phone number, so we can call or text you."))
        return data


@plain_words
class PatientForm(StepForm):
    title = _("The patient")

    class Meta:
        model = Case
        fields = [
            "patient_name",
            "patient_age",
            "patient_birth_year",
            "sex_at_birth",
            "country",
            "region",
            "postal_code",
            "travel",
        ]
        labels = {
            "patient_name": _("The patient's first name or initials"),
            "patient_age": _("Age in years"),
            "patient_birth_year": _("Or year of birth"),
            "sex_at_birth": _("Sex assigned at birth"),
            "country": _("Country where the patient lives"),
            "region": _("State or region (optional)"),
            "postal_code": _("ZIP or postal code (optional)"),
            "travel": _("How far could the patient travel for treatment?"),
        }
        help_texts = {
            "patient_name": _("Only a first name or initials, please. We do not need a full name."),
            "patient_age": _("Give the age or the year of birth. One is enough."),
            "sex_at_birth": _("Some trials are only for one sex, so this helps us find the right ones."),
            "postal_code": _("Helps us find places close to home."),
        }
        widgets = {
            "sex_at_birth": forms.RadioSelect,
            "travel": forms.RadioSelect,
            "patient_age": forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 120}),
            "patient_birth_year": forms.NumberInput(attrs={"inputmode": "numeric"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].initial = "US"

    def clean_patient_age(self):
        age = self.cleaned_data["patient_age"]
        if age is not None and age > 120:
            raise forms.ValidationError(_("Please enter an age from 0 to 120."))
        return age

    def clean_patient_birth_year(self):
        year = self.cleaned_data["patient_birth_year"]
        this_year = timezone.localdate().year
        if year is not None and not (this_year - 120 <= year <= this_year):
            raise forms.ValidationError(
                _("Please enter a year from %(first)s to %(last)s.")
                % {"first": this_year - 120, "last": this_year}
            )
        return year

    def clean(self):
        data = super().clean()
        has_age = data.get("patient_age") is not None or "patient_age" in self.errors
        has_year = data.get("patient_birth_year") is not None or "patient_birth_year" in self.errors
        if not has_age and not has_year:
            self.add_error("patient_age", _("Please give the patient's age or year of birth."))
        return data


@plain_words
class DiagnosisForm(StepForm):
    title = _("Diagnosis")
    diagnosed_on = MonthYearField(
        label=_("When was it diagnosed?"), help_text=_("If you are not sure, your best guess is fine.")
    )

    class Meta:
        model = Case
        fields = [
            "diagnosis",
            "diagnosis_other",
            "diagnosed_on",
            "disease_status",
            "genetic_results",
            "treating_center",
        ]
        labels = {
            "diagnosis": _("What is the diagnosis?"),
            "diagnosis_other": _("If you chose “something else”, what is it?"),
            "disease_status": _("Where do things stand now?"),
            "genetic_results": _("Genetic or molecular test results (optional)"),
            "treating_center": _("Treating hospital or doctor (optional)"),
        }
        help_texts = {
            "diagnosis": _(
                "Choose the closest one. If it is not in the list, choose “Something else” at the end."
            ),
            "genetic_results": _(
                "For example “NOTCH1 mutation” or “Philadelphia chromosome negative”. "
                "Copy it from a report if you have one. Leave it empty if you do not know."
            ),
        }
        widgets = {"disease_status": forms.RadioSelect}

    def clean(self):
        data = super().clean()
        if data.get("diagnosis") == "other" and not data.get("diagnosis_other", "").strip():
            self.add_error("diagnosis_other", _("Please tell us the diagnosis, in your own words."))
        return data


@plain_words
class TreatmentForm(forms.ModelForm):
    started_on = MonthYearField(label=_("When did it start? (optional)"), required=False)
    ended_on = MonthYearField(label=_("When did it end? (optional)"), required=False)

    class Meta:
        model = Treatment
        fields = ["kind", "name", "started_on", "ended_on", "outcome"]
        labels = {
            "kind": _("Type of treatment"),
            "name": _("Name of the treatment, if you know it"),
            "outcome": _("How did it go?"),
        }
        help_texts = {"name": _("For example “Nelarabine” or “BFM protocol”.")}

    def clean(self):
        data = super().clean()
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("The end is before the start. Please check the dates."))
        return data


DiagnosisForm.base_fields["diagnosis"].choices = [
    ("", _("Choose one")),
    *DiagnosisForm.base_fields["diagnosis"].choices[1:],
]

TreatmentFormSet = forms.formset_factory(TreatmentForm, extra=0, max_num=30, absolute_max=30)


@plain_words
class NowForm(StepForm):
    title = _("Now and what you hope for")
    goals = forms.MultipleChoiceField(
        label=_("What are you looking for?"),
        help_text=_("Choose all that apply."),
        choices=Case.Goal.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Please choose at least one thing you are looking for.")},
    )

    class Meta:
        model = Case
        fields = ["condition", "goals", "goals_other", "urgency_in_own_words", "anything_else"]
        labels = {
            "condition": _("How is the patient doing day to day?"),
            "goals_other": _("If you chose “something else”, what is it?"),
            "urgency_in_own_words": _("How urgent does it feel? (optional)"),
            "anything_else": _("Is there anything else you want us to know? (optional)"),
        }
        help_texts = {
            "condition": _("Choose the one that fits best most days."),
            "urgency_in_own_words": _(
                "In your own words. For example, a treatment decision is coming up soon."
            ),
        }
        widgets = {"condition": forms.RadioSelect}

    def clean(self):
        data = super().clean()
        if Case.Goal.OTHER in data.get("goals", []) and not data.get("goals_other", "").strip():
            self.add_error("goals_other", _("Please tell us what else you are looking for."))
        return data


# The column is empty only once a closed case has been purged (assessments/retention.py); families
# must answer it, as the suggested urgency and trial eligibility are worked out from it.
NowForm.base_fields["condition"].required = True


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class DocumentsForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind of document is it?"), choices=Document.Kind.choices, initial=Document.Kind.OTHER
    )
    files = forms.FileField(
        label=_("Choose files"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,.heic,application/pdf,image/*"}),
    )


class ConsentForm(forms.Form):
    privacy_notice = forms.BooleanField(
        label=consent.current_text()["privacy_notice"],
        error_messages={"required": _("Please agree to the privacy notice, so we can keep your case.")},
    )
    reviewers_may_read = forms.BooleanField(
        label=consent.current_text()["reviewers_may_read"],
        error_messages={"required": _("Please agree that our reviewers may read your case, so we can help.")},
    )
    research_contact = forms.BooleanField(label=consent.current_text()["research_contact"], required=False)
    # A honeypot: hidden from people (and from screen readers), filled in by naive bots.
    website = forms.CharField(
        required=False,
        label=_("Leave this empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code from our email"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={"required": _("Please type the code from our email.")},
    )


class ReplyForm(forms.Form):
    prefix = "reply"  # the answer form shares the family's page: keep their ids apart
    body = forms.CharField(
        label=_("Your message"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please write your message first.")},
    )


class AnswerForm(forms.Form):
    prefix = "answer"  # the reply form shares the family's page: keep their ids apart
    body = forms.CharField(
        label=_("Your answer"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please write your answer first.")},
    )


class LostLinkForm(forms.Form):
    reference = forms.CharField(
        label=_("Your reference code"),
        max_length=20,
        help_text=_("It looks like CA-7K3F-9QX2. You can find it in our first email."),
        error_messages={"required": _("Please type your reference code.")},
    )
    email = forms.EmailField(
        label=_("The email address you gave us"),
        error_messages={
            "required": _("Please type your email address."),
            "invalid": _("Please check the email address."),
        },
    )

    def clean_reference(self):
        code = self.cleaned_data["reference"].strip().upper().replace(" ", "")
        return code if code.startswith("CA-") else f"CA-{code}"

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class DeletionForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, please delete my case, my documents and our messages."),
        error_messages={"required": _("Please tick the box to confirm.")},
    )


class ResumeEmailForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"),
        help_text=_("We send your private link here, and a short code when you open it."),
        error_messages={
            "required": _("Please type your email address."),
            "invalid": _("Please check the email address."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


class ResearchConsentForm(forms.Form):
    choice = forms.ChoiceField(
        choices=[
            ("give", _("You may contact me about research studies")),
            ("withdraw", _("Do not contact me")),
        ],
        error_messages={
            "required": _("Please choose an answer."),
            "invalid_choice": _("Please choose an answer."),
        },
    )


class ShareAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        choices=[("yes", _("Yes, share it")), ("no", _("No, do not share it"))],
        error_messages={
            "required": _("Please choose an answer."),
            "invalid_choice": _("Please choose an answer."),
        },
    )
