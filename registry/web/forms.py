"""The pages' forms (Flask-WTF: each carries the session's CSRF token)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length
from wtforms.widgets import CheckboxInput, ListWidget

from registry.services.accounts import TOKEN_DAYS
from registry.services.reasons import MAX_TEXT


def choices(pairs: list[tuple[str, str]]) -> list[SelectChoice]:
    """(value, label) pairs as WTForms' choice objects (plain tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


class MultiCheckbox(SelectMultipleField):
    """Several checkboxes of one name."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SignInForm(FlaskForm):
    login = StringField(
        "Username or e-mail address",
        [DataRequired("Enter your username or e-mail address"), Length(max=254)],
    )
    password = PasswordField("Password", [DataRequired("Enter your password"), Length(max=1024)])


class TokenForm(FlaskForm):
    name = StringField(
        "What is the token for?", [DataRequired("Say what the token is for"), Length(max=100)]
    )
    scopes = MultiCheckbox(
        "Scopes", choices=choices([("publish", "publish"), ("moderate", "moderate")])
    )
    days = RadioField(
        "Expires after",
        choices=choices([(str(d), f"{d} days") for d in TOKEN_DAYS]),
        default="90",
        validators=[DataRequired("Choose when the token expires")],
    )


class EmptyForm(FlaskForm):
    """A button's form: nothing but the CSRF token."""


class InviteForm(FlaskForm):
    email = StringField(
        "E-mail address", [DataRequired("Enter an e-mail address"), Length(max=254)]
    )
    organisation = RadioField("Organisation", validators=[DataRequired("Choose an organisation")])


class AcceptForm(FlaskForm):
    username = StringField("Username", [DataRequired("Choose a username"), Length(max=64)])
    password = PasswordField("Password", [DataRequired("Choose a password"), Length(max=1024)])
    confirm = PasswordField(
        "Password again",
        [
            DataRequired("Enter the password again"),
            EqualTo("password", "The passwords are not the same"),
        ],
    )


class UploadForm(FlaskForm):
    archive = FileField("Pack archive (.zip or .tar.gz)", [FileRequired("Choose a pack to upload")])


class WithdrawForm(FlaskForm):
    note = TextAreaField("Note (optional)", [Length(max=MAX_TEXT)])


class ApproveForm(FlaskForm):
    acknowledge = MultiCheckbox("Warnings checked", choices=[], validate_choice=False)
    note = TextAreaField("Note for the publisher (optional)", [Length(max=MAX_TEXT)])


class RejectForm(FlaskForm):
    reason = TextAreaField(
        "Why is it rejected?",
        [DataRequired("Say what the publisher needs to change"), Length(max=MAX_TEXT)],
    )
