"""The service package's names load on first access (PEP 562) and are the modules' own."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import vixshield.service as service


def test_every_public_name_is_its_module_object() -> None:
    homes = [
        importlib.import_module(f"vixshield.service.{m}")
        for m in ("config", "daily", "journal", "notify", "tickets")
    ]
    for name in service.__all__:
        owners = [m for m in homes if name in m.__all__]
        assert len(owners) == 1, name
        assert getattr(service, name) is getattr(owners[0], name)
    assert set(dir(service)) >= set(service.__all__)
    assert service.notify is homes[3]  # the module (a loaded submodule is its package's attribute)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        _ = service.no_such_thing  # type: ignore[attr-defined]


def test_reading_the_config_does_not_import_the_notifications() -> None:
    code = (
        "import sys\nimport vixshield.service.config\n"
        "print(sorted(m for m in ('smtplib', 'vixshield.service.notify',"
        " 'vixshield.service.daily') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
