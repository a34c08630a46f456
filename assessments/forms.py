from django import forms

from assessments.actions import MANUAL_TRANSITIONS, TRANSITION_LABELS
from intake.models import Case


class TriageForm(forms.Form):
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
    body = forms.CharField(
        label="Internal note",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Never shown to the family.",
    )
