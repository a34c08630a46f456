from django import forms

from assessments.actions import MANUAL_TRANSITIONS, OPTION_FIELDS, TRANSITION_LABELS
from intake.models import Case, Report, ReportOption


class TriageForm(forms.Form):
    prefix = "triage"  # several forms share the case page: keep their ids apart
    urgency = forms.TypedChoiceField(choices=Case.Urgency.choices, coerce=int, label="Urgency")
    reason = forms.CharField(
        label="Reason (needed when you change the suggestion)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


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
    def add_fields(self, form, index):
        super().add_fields(form, index)
        form.fields["DELETE"].label = "Remove this option when saving"


ReportOptionFormSet = forms.formset_factory(
    ReportOptionForm, formset=BaseReportOptionFormSet, extra=0, can_delete=True, max_num=30
)


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
    prefix = "hold"
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class MergeForm(forms.Form):
    """Which of the newer case's answers that differ go into the earlier case."""

    take = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, fields: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["take"].choices = fields
