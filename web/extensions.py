"""Flask extensions, created unbound and attached to an app by create_app (init_app pattern)."""

from flask_babel import Babel, gettext
from flask_login import LoginManager
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from markupsafe import Markup
from wtforms.widgets import HiddenInput

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


def _hidden_tag_with_errors(form: FlaskForm, *fields) -> Markup:
    """The hidden fields, and a visible reason when one was refused.

    A hidden field (the version a page showed) fails only when the page was tampered with or the
    form posted in a state that no longer offers it; its error has no field to stand next to, so
    it is shown once here instead of a bare 400 page.
    """
    html = _flask_wtf_hidden_tag(form, *fields)
    hidden = [f for f in (fields or form) if not isinstance(f, str)]
    if any(isinstance(f.widget, HiddenInput) and f.errors for f in hidden):
        message = gettext("The form was out of date or incomplete. Reload the page and try again.")
        html += Markup('<p class="flash flash-error" role="alert">%s</p>') % message
    return html


_flask_wtf_hidden_tag = FlaskForm.hidden_tag
FlaskForm.hidden_tag = _hidden_tag_with_errors
