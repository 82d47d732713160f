"""vixshield.data's store and provider names: exported, and imported only when used."""

from __future__ import annotations

import importlib
import subprocess
import sys

import vixshield.data as data


def test_every_lazy_name_resolves_and_is_exported() -> None:
    for name, module in data._LAZY.items():
        assert name in data.__all__
        assert getattr(data, name) is getattr(importlib.import_module(module), name)


def test_unknown_name_is_an_attribute_error() -> None:
    try:
        data.no_such_name  # noqa: B018
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


def test_importing_data_leaves_the_store_stack_unloaded() -> None:
    code = (
        "import sys, vixshield.data\n"
        "names = ('duckdb', 'pyarrow.parquet', 'vixshield.data.chains')\n"
        "print(','.join(m for m in names if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
