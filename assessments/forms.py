from django import forms

from assessments.actions import MANUAL_TRANSITIONS, OPTION_FIELDS, TRANSITION_LABELS
from assessments.models import Snippet
from intake.models import Case, Report, ReportOption


class TriageForm(forms.Form):
    prefix = "triage"  # several forms share the case page: keep their ids apart
    urgency = forms.TypedChoiceField(choices=Case.Urgency.choices, coerce=int, label="Urgency")
    reason = forms.CharField(
        label="Reason (needed when you change the suggestion)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggested = case.suggested_urgency

    def clean(self):
        data = super().clean()
        if data.get("urgency") not in (None, self.suggested) and not data.get("reason"):
            self.add_error("reason", "Please give a reason for changing the suggested urgency.")
        return data


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, label="Assign to", to_field_name="username")

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class StatusForm(forms.Form):
    prefix = "status"  # several forms share the case page: keep their ids apart
    to = forms.ChoiceField(label="Move to")
    reason = forms.CharField(label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = MANUAL_TRANSITIONS.get(case.status, set())
        self.fields["to"].choices = [
            (s.value, TRANSITION_LABELS.get((case.status, s.value), s.label))
            for s in Case.Status
            if s.value in allowed
        ]

    def clean(self):
        data = super().clean()
        if data.get("to") == Case.Status.CLOSED and not data.get("reason"):
            self.add_error("reason", "Please say why the case is being closed.")
        return data


class EraseForm(forms.Form):
    """Deleting a case for good: the reviewer types its reference code to be sure it is this one."""

    confirm = forms.CharField(
        max_length=20, error_messages={"required": "Type the reference code to confirm the deletion."}
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        self.reference = case.reference
        self.fields["confirm"].label = f"Type {case.reference} to delete now"
        self.fields["confirm"].widget.attrs.update({"autocomplete": "off", "class": "form-control-sm"})

    def clean_confirm(self):
        if self.cleaned_data["confirm"] != self.reference:
            raise forms.ValidationError(f"That is not {self.reference}. Type the reference code to confirm.")
        return self.cleaned_data["confirm"]


class NoteForm(forms.Form):
    prefix = "note"  # several forms share the case page: keep their ids apart
    body = forms.CharField(
        label="Internal note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Never shown to the family.",
    )


class MessageForm(forms.Form):
    prefix = "message"  # several forms share the case page: keep their ids apart
    body = forms.CharField(
        label="Message to the family",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The family gets an email that there is a new message; the text stays behind their link.",
    )


class QuestionForm(forms.Form):
    prefix = "question"  # several forms share the case page: keep their ids apart
    question = forms.CharField(
        label="Ask the family a question",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The case waits on the family and the response clock pauses until they answer.",
    )


READABLE = {"data-readability-source": ""}


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["understanding", "questions", "next_steps"]
        widgets = {name: forms.Textarea(attrs={"rows": 6, **READABLE}) for name in fields}
        help_texts = {
            "understanding": "In plain words: the diagnosis, what has been tried, where things stand.",
            "questions": "One question per line works well.",
        }


class ReportOptionForm(forms.ModelForm):
    link = forms.URLField(label="Link", required=False, assume_scheme="https")

    class Meta:
        model = ReportOption
        fields = OPTION_FIELDS
        widgets = {
            "what_it_is": forms.Textarea(attrs={"rows": 3, **READABLE}),
            "why_it_may_fit": forms.Textarea(attrs={"rows": 3, **READABLE}),
            "what_to_ask": forms.Textarea(attrs={"rows": 3, **READABLE}),
            "where": forms.Textarea(attrs={"rows": 2}),
            "contact": forms.Textarea(attrs={"rows": 2}),
        }


class BaseReportOptionFormSet(forms.BaseFormSet):
    default_error_messages = {
        "missing_management_form": "The list of options reached us incomplete. "
        "Please check the options below and save again.",
        "too_many_forms": "A report can have at most %(num)d options.",
    }

    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this option when saving"

    def clean(self):
        # Django takes a negative count for "no options": saving would quietly drop them all.
        if self.management_form.cleaned_data.get("TOTAL_FORMS", 0) < 0:
            raise forms.ValidationError(self.error_messages["missing_management_form"], code="missing")


# absolute_max: a forged "1000 options" costs one error message, not a page of 1000 empty forms.
ReportOptionFormSet = forms.formset_factory(
    ReportOptionForm, formset=BaseReportOptionFormSet, extra=0, can_delete=True, max_num=30, absolute_max=30
)


class SnippetForm(forms.Form):
    """Which snippet to insert into the report: any id that is not an active snippet is no snippet."""

    snippet = forms.ModelChoiceField(queryset=Snippet.objects.filter(active=True), required=False)


class ShareProposalForm(forms.Form):
    prefix = "share"
    partner = forms.CharField(
        label="Partner hospital or trial team", max_length=200, help_text="Named as the family will read it."
    )
    purpose = forms.CharField(
        label="What the summary is for",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="In plain words: the family reads this before they agree.",
    )


class LegalHoldForm(forms.Form):
    """The reason for placing a hold, or (optional) for releasing one: either goes into the audit trail."""

    prefix = "hold"
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, releasing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].required = not releasing


class MergeForm(forms.Form):
    """Which of the newer case's answers that differ go into the earlier case."""

    take = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, fields: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["take"].choices = fields
