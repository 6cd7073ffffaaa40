"""Every form of the app shares the base that explains a refused hidden field."""

from __future__ import annotations

import importlib
import pkgutil

from flask_wtf import FlaskForm

import web
from web.forms import AppForm


def all_subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub, *all_subclasses(sub)}
    return found


def test_every_form_of_the_app_derives_from_the_app_form():
    for module in pkgutil.walk_packages(web.__path__, "web."):
        importlib.import_module(module.name)
    forms = {f for f in all_subclasses(FlaskForm) if f.__module__.startswith("web.")}
    assert len(forms) > 40
    assert sorted(f.__qualname__ for f in forms - all_subclasses(AppForm) - {AppForm}) == []
