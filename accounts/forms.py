from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm


def counted(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


class StaffAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "That username and password do not match. Please check them and try again. "
        "After %(tries)s, signing in to this account from this address is paused for %(minutes)s.",
        "inactive": "This account is switched off. Please ask a supervisor.",
    }

    def get_invalid_login_error(self):
        # The limits are settings (SIGN_IN_FAILURE_LIMIT, SIGN_IN_LOCKOUT_MINUTES): say the real ones.
        return forms.ValidationError(
            self.error_messages["invalid_login"],
            code="invalid_login",
            params={
                "tries": counted(settings.AXES_FAILURE_LIMIT, "wrong try", "wrong tries"),
                "minutes": counted(
                    int(settings.AXES_COOLOFF_TIME.total_seconds() // 60), "minute", "minutes"
                ),
            },
        )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        error_messages={"required": "Please type the code from your app."},
    )


class ConfirmIdentityForm(forms.Form):
    """Sudo mode: the password or a code, once more."""

    prefix = "confirm"
    password = forms.CharField(
        label="Your password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    code = forms.CharField(
        label="Or a code from your authenticator app",
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("password") and not data.get("code", "").strip():
            raise forms.ValidationError("Please type your password, or a code from your authenticator app.")
        return data
