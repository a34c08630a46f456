from django import forms

from trials.matching import DEFAULT_FILTERS, Filters, Kinds, Place, Scope
from trials.models import Verdict

FIT_OR_ANY = [("fit", "Must fit the patient"), ("any", "Ignore")]


class OptionFiltersForm(forms.Form):
    """The Options panel's filters, in the address (GET), so a search can be shared and reloaded."""

    q = forms.CharField(label="Search the catalogue", required=False, max_length=200)
    scope = forms.ChoiceField(label="Diagnosis", choices=Scope.CHOICES, required=False)
    place = forms.ChoiceField(label="Where", choices=Place.CHOICES, required=False)
    miles = forms.IntegerField(label="Distance (miles)", min_value=1, max_value=12_500, required=False)
    kinds = forms.ChoiceField(label="Kinds", choices=Kinds.CHOICES, required=False)
    status = forms.ChoiceField(
        label="Status", choices=[("open", "Open to patients"), ("any", "Any status")], required=False
    )
    age = forms.ChoiceField(label="Age", choices=FIT_OR_ANY, required=False)
    sex = forms.ChoiceField(label="Sex", choices=FIT_OR_ANY, required=False)

    def __init__(self, data=None, **kwargs):
        # Unbound until a filter is in the address, so the defaults show as selected.
        known = data is not None and any(name in data for name in self.base_fields)
        kwargs.setdefault("auto_id", "options-%s")  # the case page has other forms
        super().__init__(data if known else None, **kwargs)

    def filters(self) -> Filters:
        if not self.is_bound or not self.is_valid():
            return DEFAULT_FILTERS
        data = self.cleaned_data
        return Filters(
            scope=data["scope"] or Scope.DIAGNOSIS,
            open_only=data["status"] != "any",
            age=data["age"] != "any",
            sex=data["sex"] != "any",
            place=data["place"] or Place.TRAVEL,
            miles=data["miles"] or 0,
            kinds=data["kinds"] or Kinds.ALL,
            text=data["q"].strip(),
        )


class EligibilityForm(forms.Form):
    """One verdict and an optional note per criterion line."""

    def __init__(self, *args, lines: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            key = f"{line['kind']}-{line['position']}"
            labels = (
                [("meets", "Meets (not excluded)"), ("does_not_meet", "Does not meet (excluded)")]
                if line["kind"] == "exclusion"
                else [("meets", "Meets"), ("does_not_meet", "Does not meet")]
            )
            self.fields[f"{key}-verdict"] = forms.ChoiceField(
                label=line["text"],
                choices=[*labels, (Verdict.UNKNOWN, "Unknown")],
                initial=line["verdict"],
                widget=forms.RadioSelect,
            )
            self.fields[f"{key}-note"] = forms.CharField(
                label="Note", required=False, max_length=1000, initial=line["note"]
            )
            line["verdict_field"] = f"{key}-verdict"
            line["note_field"] = f"{key}-note"

    def answers(self) -> dict[tuple[str, int], tuple[str, str]]:
        return {
            (line["kind"], line["position"]): (
                self.cleaned_data[line["verdict_field"]],
                self.cleaned_data[line["note_field"]],
            )
            for line in self.lines
        }
