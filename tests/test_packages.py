"""Every package of ``shared`` declares its public surface in ``__all__`` (as httpx does): each name
listed exists, and each class or function the package defines or re-exports is listed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import shared

PACKAGES = ["shared", *sorted(m.name for m in pkgutil.walk_packages(shared.__path__, "shared.") if m.ispkg)]


@pytest.mark.parametrize("name", PACKAGES)
def test_the_package_declares_its_public_surface(name):
    package = importlib.import_module(name)
    assert isinstance(getattr(package, "__all__", None), list), f"{name} has no __all__"
    missing = [member for member in package.__all__ if not hasattr(package, member)]
    assert missing == [], f"{name}.__all__ names what it does not have"
    assert len(set(package.__all__)) == len(package.__all__)
    public = {member for member, value in vars(package).items()
              if not member.startswith("_") and (inspect.isclass(value) or inspect.isfunction(value))
              and value.__module__.startswith(name)}
    assert public - set(package.__all__) == set(), f"{name} exports more than its __all__ says"
