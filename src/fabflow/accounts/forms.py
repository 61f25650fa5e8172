"""The forms of the admin pages (users, secret keys, product spaces) and of the set-password page.

The forms check what the browser sent; the rules (unique e-mail, who may do what) live in
`accounts/services.py`, whose errors `fabflow.web.errors.form_errors` puts beside the field they
concern.
"""

from django import forms
from django.contrib.auth import password_validation

from fabflow import limits


class SignInForm(forms.Form):
    """E-mail and password, bounded before any password is checked."""

    email = forms.CharField(
        label="E-mail",
        max_length=limits.MAX_EMAIL_LENGTH,
        error_messages={"required": "Enter your e-mail address."},
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        max_length=limits.MAX_PASSWORD_LENGTH,
        error_messages={"required": "Enter your password."},
    )

    def error_text(self) -> str:
        """Every error of the form as one sentence per field, for the sign-in page's one notice."""
        return " ".join(
            f"{self.fields[name].label}: {message}" if name in self.fields else message
            for name, messages in self.errors.items()
            for message in messages
        )


class AddUserForm(forms.Form):
    """An admin adds a user, with an initial password or a set-password link sent by e-mail."""

    ACCESS_PASSWORD = "password"
    ACCESS_LINK = "link"

    email = forms.EmailField(label="E-mail", max_length=limits.MAX_EMAIL_LENGTH)
    name = forms.CharField(label="Name", max_length=limits.MAX_USER_NAME_LENGTH, required=False)
    is_admin = forms.BooleanField(label="Administrator", required=False)
    access = forms.ChoiceField(
        label="How the user gets in",
        choices=[
            (ACCESS_LINK, "E-mail a link to choose a password"),
            (ACCESS_PASSWORD, "Set an initial password"),
        ],
        initial=ACCESS_LINK,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label="Initial password",
        required=False,
        strip=False,
        max_length=limits.MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text="Only with an initial password; the user can change it later.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("access") == self.ACCESS_PASSWORD and "password" not in self.errors:
            password = cleaned.get("password") or ""
            if not password:
                self.add_error("password", "Enter an initial password, or e-mail a link instead.")
            else:
                try:
                    password_validation.validate_password(password)
                except forms.ValidationError as error:
                    self.add_error("password", error)
        return cleaned


class UserTagsForm(forms.Form):
    """The comma-separated tags of one user, edited in place on the Users page."""

    # Room for the most tags of the longest length, each followed by a comma and a space.
    tags = forms.CharField(
        label="Tags", required=False, max_length=limits.MAX_TAGS * (limits.MAX_TAG_LENGTH + 2)
    )


class AddSecretKeyForm(forms.Form):
    """A new API key for one product space."""

    name = forms.CharField(
        label="Key name",
        max_length=limits.MAX_SECRET_KEY_NAME_LENGTH,
        help_text="Say where the key is used, e.g. the webshop's name.",
    )


def generator_choices() -> list[tuple[str, str]]:
    """The registered generators as select options, after "none"."""
    from fabflow.generators.registry import available_generators

    return [("", "None (each flow task names one)")] + [
        (generator.key, f"{generator.name} ({generator.key})")
        for generator in available_generators()
    ]


class EditSpaceForm(forms.Form):
    """A product space's name and generator (its key never changes)."""

    name = forms.CharField(label="Name", max_length=limits.MAX_SPACE_NAME_LENGTH)
    generator = forms.ChoiceField(
        label="Generator",
        choices=generator_choices,
        required=False,
        help_text="Makes the production files of the space's products (generate-production-files).",
    )


class AddSpaceForm(EditSpaceForm):
    """A new product space: its key, name and generator."""

    key = forms.SlugField(
        label="Key",
        max_length=limits.MAX_SPACE_KEY_LENGTH,
        help_text="Lowercase letters, digits and hyphens; the API and URLs use it. It never changes.",
    )
    field_order = ["key", "name", "generator"]


class SetPasswordForm(forms.Form):
    """A new user chooses a password through the link an admin had sent."""

    password = forms.CharField(
        label="New password",
        strip=False,
        max_length=limits.MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not a common password and not only digits.",
    )
    password_again = forms.CharField(
        label="New password again",
        strip=False,
        max_length=limits.MAX_PASSWORD_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("password") != cleaned.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return cleaned
