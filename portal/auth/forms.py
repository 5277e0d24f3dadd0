"""The staff sign-in form."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from portal.form_base import BaseForm


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
