"""One module per item format behind a registry: adding a format is adding one module, and
no code outside `items/formats/` branches on a format's name."""

import inspect
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

import palier
from palier.items import formats
from palier.items.formats import FORMATS, HELPER_MODULES, REGISTRY, AnswerError, Format, get_format
from palier.items.models import ItemVersion

SOURCE = Path(palier.__file__).resolve().parent


def test_the_registry_lists_exactly_the_format_modules_of_the_package():
    modules = {module.name for module in pkgutil.iter_modules(formats.__path__)}
    assert modules - HELPER_MODULES == set(FORMATS) == set(REGISTRY)
    for name in FORMATS:
        module = __import__(f"palier.items.formats.{name}", fromlist=["FORMAT"])
        assert module.FORMAT is get_format(name) and module.FORMAT.name == name


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_implements_every_method_of_the_base_class(name):
    item_format = get_format(name)
    assert isinstance(item_format, Format) and not inspect.isabstract(type(item_format))
    for method in Format.__abstractmethods__:
        assert getattr(type(item_format), method) is not getattr(Format, method), method
    assert item_format.widget and item_format.template.startswith("items/widgets/")
    assert (SOURCE / "templates" / item_format.template).is_file()


def test_the_item_model_accepts_exactly_the_registered_formats():
    assert {value for value, _ in ItemVersion.Format.choices} == set(FORMATS)


def branching_on_a_format_name(source: Path = SOURCE) -> list[str]:
    """Lines of .py and .html files under `source`, outside items/formats/, that compare a
    value with a format name or key a mapping by one."""
    names = "|".join(FORMATS)
    quoted = rf"""["'](?:{names})["']"""
    pattern = re.compile(
        rf"(?:==|!=)\s*{quoted}|{quoted}\s*(?:==|!=|:)|\bin\s*[(\[{{][^)\]}}]*{quoted}"
    )
    found = []
    excluded = source / "items" / "formats"
    for path in sorted(source.rglob("*")):
        # Migrations are generated, and their "ordering" keys are Django's Meta option.
        if path.suffix not in (".py", ".html") or excluded in path.parents:
            continue
        if "migrations" in path.relative_to(source).parts:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(source)}:{number}: {line.strip()}")
    return found


def test_no_module_outside_the_formats_package_branches_on_a_format_name():
    assert branching_on_a_format_name() == []


def test_the_format_name_check_finds_branches_outside_the_formats_package(tmp_path):
    (tmp_path / "items" / "formats").mkdir(parents=True)
    (tmp_path / "items" / "formats" / "numeric.py").write_text('name = "numeric"\n')
    (tmp_path / "items" / "views.py").write_text('if item_format == "numeric":\n    pass\n')
    (tmp_path / "items" / "table.py").write_text('WIDGETS = {\n    "matching": "match",\n}\n')
    (tmp_path / "page.html").write_text("{% if view.format in ('ordering', 'x') %}{% endif %}")
    assert [hit.split(":")[0] for hit in branching_on_a_format_name(tmp_path)] == [
        "items/table.py",
        "items/views.py",
        "page.html",
    ]


def test_validation_and_scoring_do_not_load_django():
    code = (
        "import sys; from palier.items.formats import score, validate_definition;"
        "validate_definition('numeric', {'value': 1}); score('short_text',"
        " {'accepted': {'fr': ['INS']}}, \"l'INS\");"
        "print('django' in sys.modules)"
    )
    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "False"


def test_an_answer_error_is_shown_in_the_active_language():
    error = AnswerError("Saisissez une réponse.")
    with translation.override("en"):
        english = str(error)
    with translation.override("fr"):
        assert str(error) == "Saisissez une réponse."
    assert english != "Saisissez une réponse." and english
