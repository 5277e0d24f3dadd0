"""The staff sign-in forms, and the password forms staff and administrators share."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.form_base import BaseForm
from portal.services.users import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PasswordTooCommon,
    PasswordTooGuessable,
)


class SignInForm(BaseForm):
    email = EmailField(
        _l("Email address"), validators=[DataRequired(_l("Enter your email address"))], widget=GovTextInput()
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password"))], widget=GovPasswordInput()
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())


class CodeForm(BaseForm):
    code = StringField(
        _l("Code from your authenticator app"),
        description=_l("The 6 digits your app shows for this account, like 123456"),
        validators=[DataRequired(_l("Enter the 6-digit code from your authenticator app")), Length(max=20)],
        widget=GovTextInput(),
    )
    submit = SubmitField(_l("Continue"), widget=GovSubmitInput())


COMMON_PASSWORD_MESSAGE = _l(
    "This password is on a list of passwords people use most often, which is where guessing starts. Choose another"
)
PREDICTABLE_PASSWORD_MESSAGE = _l(
    "This password is mostly words someone would try first here: the council’s name, ‘complaints’, ‘portal’, or the "
    "person’s own name or email. Choose another"
)


def guessable_password_message(refused: PasswordTooGuessable) -> str:
    """What to tell someone whose new password guessing would find early."""
    return str(COMMON_PASSWORD_MESSAGE if isinstance(refused, PasswordTooCommon) else PREDICTABLE_PASSWORD_MESSAGE)


def new_password_field(label):
    return PasswordField(
        label,
        description=_l(
            "At least %(min)d characters. A few words strung together are easy to remember and hard to guess.",
            min=MIN_PASSWORD_LENGTH,
        ),
        validators=[
            DataRequired(_l("Enter a password")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                message=_l("Password must be %(min)d characters or more", min=MIN_PASSWORD_LENGTH),
            ),
            Length(
                max=MAX_PASSWORD_LENGTH,
                message=_l("Password must be %(max)d characters or fewer", max=MAX_PASSWORD_LENGTH),
            ),
        ],
        widget=GovPasswordInput(),
    )


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password"))],
        widget=GovPasswordInput(),
    )
    new_password = new_password_field(_l("New password"))
    submit = SubmitField(_l("Change password"), widget=GovSubmitInput())
