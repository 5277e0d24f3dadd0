"""The staff sign-in form."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput, GovSubmitInput, GovTextInput
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired

from portal.form_base import BaseForm


class SignInForm(BaseForm):
    email = EmailField(
        _l("Email address"), validators=[DataRequired(_l("Enter your email address"))], widget=GovTextInput()
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(_l("Enter your password"))], widget=GovPasswordInput()
    )
    submit = SubmitField(_l("Sign in"), widget=GovSubmitInput())
