"""Forms of signing in and out."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SubmitField
from wtforms.validators import DataRequired, Length

from web.forms import AppForm


class LoginForm(AppForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])
    submit = SubmitField(_l("Sign in"))


class LogoutForm(AppForm):
    """A button in every page's header; prefixed so its ids never clash."""

    submit = SubmitField(_l("Sign out"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, prefix="logout", **kwargs)
