"""Who is signed in, and which role may see what."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import UserMixin, current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from matcher.accounts.models import Role, User
from web.db import get_session
from web.errors import wants_json
from web.extensions import login_manager


class SignedInUser(UserMixin):
    """Flask-Login's view of a User; the domain model stays free of Flask."""

    def __init__(self, user: User) -> None:
        self.user = user

    def get_id(self) -> str:
        return str(self.user.id)

    @property
    def is_active(self) -> bool:
        return self.user.active

    @property
    def role(self) -> Role:
        return self.user.role

    def __getattr__(self, name: str) -> Any:
        # email, organisation, language ... read straight from the model.
        return getattr(self.user, name)


@login_manager.user_loader
def load_user(user_id: str) -> SignedInUser | None:
    # Inactive users load as nobody, so switching an account off also ends its sessions.
    if not user_id.isdigit():
        return None
    user = get_session().scalar(
        select(User).options(joinedload(User.organisation)).where(User.id == int(user_id))
    )
    return SignedInUser(user) if user is not None and user.active else None


@login_manager.unauthorized_handler
def unauthorized() -> ResponseReturnValue:
    if wants_json():
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def roles_required(*roles: Role) -> Callable:
    """Let only signed-in users of these roles through: others get 403, strangers /login."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator
