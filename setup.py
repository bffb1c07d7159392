"""Install every addon of this repository into the `odoo.addons` namespace.

`pip install .` next to an installed Odoo 18.0 makes the addons installable without touching
the addons path. Odoo itself is not a dependency here: it is not on PyPI for 18.0.
"""

from pathlib import Path

from setuptools import setup

ROOT = Path(__file__).resolve().parent
ADDONS = sorted(manifest.parent.name for manifest in ROOT.glob("*/__manifest__.py"))


def _packages():
    mapping = {}
    for addon in ADDONS:
        for init in sorted((ROOT / addon).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT)
            mapping["odoo.addons." + ".".join(rel.parts)] = rel.as_posix()
    return mapping


def _data_files(addon):
    """Every file of the addon that is not in one of its Python packages: views, data, i18n,
    static, readme, and the migration scripts (Python files Odoo reads by path)."""
    base = ROOT / addon
    return [
        path.relative_to(base).as_posix()
        for path in base.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and (path.suffix not in (".py", ".pyc") or "migrations" in path.relative_to(base).parts)
    ]


PACKAGES = _packages()

setup(
    name="odoo-addons-order-end-of-life",
    version="18.0.1.1.0",
    description="Odoo 18.0 addons: cancellation with reversal and revoke, termination and closing",
    license="LGPL-3",
    python_requires=">=3.10",
    packages=list(PACKAGES),
    package_dir=PACKAGES,
    package_data={f"odoo.addons.{addon}": _data_files(addon) for addon in ADDONS},
    include_package_data=False,
    zip_safe=False,
)
