"""French and Italian are complete: every catalog fully translated, compiled, and used by the pages.

The assessments catalogs are tested by that app's own tests.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

PACKAGE = REPO_ROOT / "pactesur"
COMPLETE_LANGUAGES = ("fr", "it")
OWN_TESTS = ("assessments",)  # apps whose catalogs their own tests check
EXPECTED_CATALOGS = {"core", "spaces", "events", "streets", "analysis", "audit"}
PLACEHOLDER = re.compile(r"%\([A-Za-z_]\w*\)[sdif]|%[sdif]|\{\{\s*[^}]*?\s*\}\}|\{[A-Za-z_]\w*\}")


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


KEYWORD = re.compile(r"(msgctxt|msgid|msgid_plural|msgstr)(?:\[(\d+)\])?")


def read_block(block: str, line: int) -> Entry | None:
    """One entry of a .po file, or None for the header and obsolete (`#~`) entries."""
    flags: set[str] = set()
    parts: dict[tuple[str, int], str] = {}
    key: tuple[str, int] | None = None
    for raw in block.splitlines():
        text = raw.strip()
        if text.startswith("#,"):
            flags |= {flag.strip() for flag in text[2:].split(",")}
            continue
        if not text or text.startswith("#"):
            continue
        if not text.startswith('"'):
            keyword, _, text = text.partition(" ")
            match = KEYWORD.fullmatch(keyword)
            assert match, f"line {line}: cannot read {raw!r}"
            key = (match.group(1), int(match.group(2) or 0))
            parts[key] = ""
        assert key is not None, f"line {line}: a string outside an entry: {raw!r}"
        parts[key] += ast.literal_eval(text)
    if not parts.get(("msgid", 0)) and ("msgctxt", 0) not in parts:
        return None
    return Entry(
        msgctxt=parts.get(("msgctxt", 0)),
        msgid=parts[("msgid", 0)],
        msgid_plural=parts.get(("msgid_plural", 0)),
        msgstr={index: value for (name, index), value in parts.items() if name == "msgstr"},
        flags=flags,
        line=line,
    )


def read_po(path: Path) -> list[Entry]:
    """The live entries of a .po file, separated by blank lines as gettext and makemessages write them."""
    entries = []
    line = 1
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8")):
        entry = read_block(block, line)
        if entry is not None:
            entries.append(entry)
        line += block.count("\n") + 2
    return entries


def catalog_name(path: Path) -> str:
    app = path.relative_to(PACKAGE).parts[0]
    return "core" if app == "locale" else app


def catalogs(language: str) -> list[Path]:
    found = sorted(PACKAGE.glob(f"**/locale/{language}/LC_MESSAGES/django.po"))
    return [path for path in found if catalog_name(path) not in OWN_TESTS]


CATALOGS = [
    pytest.param(language, path, id=f"{catalog_name(path)}-{language}")
    for language in COMPLETE_LANGUAGES
    for path in catalogs(language)
]


@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
def test_every_app_catalog_is_found(language):
    assert {catalog_name(path) for path in catalogs(language)} >= EXPECTED_CATALOGS


def test_the_reader_understands_plurals_contexts_and_fuzzy_entries(tmp_path):
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: fr\\n"\n\n'
        '#: a.py:1\n#, python-format\nmsgid "%(n)s space"\nmsgid_plural "%(n)s spaces"\n'
        'msgstr[0] "%(n)s espace"\nmsgstr[1] ""\n\n'
        '#, fuzzy\nmsgctxt "menu"\nmsgid ""\n"Open "\n"it"\nmsgstr "Ouvrir"\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Parti"\n',
        encoding="utf-8",
    )
    plural, fuzzy = read_po(po)
    assert (plural.msgid, plural.msgid_plural, plural.msgstr) == (
        "%(n)s space",
        "%(n)s spaces",
        {0: "%(n)s espace", 1: ""},
    )
    assert "python-format" in plural.flags
    assert (fuzzy.msgctxt, fuzzy.msgid, fuzzy.msgstr, "fuzzy" in fuzzy.flags) == (
        "menu",
        "Open it",
        {0: "Ouvrir"},
        True,
    )


@pytest.mark.parametrize(("language", "path"), CATALOGS)
def test_catalog_is_complete(language, path):
    entries = read_po(path)
    assert entries, f"{path} has no entries"
    where = path.relative_to(REPO_ROOT)
    fuzzy = [f"{where}:{e.line} {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    untranslated = [f"{where}:{e.line} {e.msgid!r}" for e in entries if not all(e.msgstr.values())]
    assert not fuzzy, "fuzzy entries:\n" + "\n".join(fuzzy)
    assert not untranslated, "untranslated entries:\n" + "\n".join(untranslated)


@pytest.mark.parametrize(("language", "path"), CATALOGS)
def test_translations_keep_the_placeholders(language, path):
    wrong = []
    for e in read_po(path):
        for form in e.msgstr.values():
            source = e.msgid_plural if e.msgid_plural and len(e.msgstr) > 1 else e.msgid
            # A singular may spell the number out ("one space"); the names it uses must still exist.
            expected = set(PLACEHOLDER.findall(source)) | set(PLACEHOLDER.findall(e.msgid))
            got = set(PLACEHOLDER.findall(form))
            if not got <= expected or (not e.msgid_plural and got != expected):
                wrong.append(f"{e.msgid!r} → {form!r}")
    assert not wrong, "placeholders changed:\n" + "\n".join(wrong)


@pytest.mark.parametrize(("language", "path"), CATALOGS)
def test_compiled_catalog_matches_the_po_file(language, path):
    mo = path.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `python manage.py compilemessages`"
    with mo.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
    stale = []
    for e in read_po(path):
        key = f"{e.msgctxt}\x04{e.msgid}" if e.msgctxt is not None else e.msgid
        if e.msgid_plural:
            ok = all(compiled.get((key, i)) == text for i, text in e.msgstr.items())
        else:
            ok = compiled.get(key) == e.msgstr[0]
        if not ok:
            stale.append(repr(e.msgid))
    assert not stale, f"{mo} is out of date, run compilemessages; differs on:\n" + "\n".join(stale)


PAGES = {
    "fr": {
        "streets:list": ["Réseau viaire de Nice", "Importer un extrait OpenStreetMap", "Envoyer et importer"],
        "analysis:city": ["Évaluation de la dynamique des véhicules", "Espaces classés par vitesse d’impact"],
    },
    "it": {
        "streets:list": ["Rete stradale di Nice", "Importa un estratto OpenStreetMap", "Carica e importa"],
        "analysis:city": ["Valutazione della dinamica dei veicoli", "Spazi ordinati per velocità d’impatto"],
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("language", COMPLETE_LANGUAGES)
@pytest.mark.parametrize("page", ["streets:list", "analysis:city"])
def test_pages_speak_the_language_of_the_url_prefix(client, security_officer, language, page):
    from django.urls import reverse
    from django.utils import translation

    client.force_login(security_officer)
    with translation.override(language):
        url = reverse(page)
    assert url.startswith(f"/{language}/")

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'lang="{language}"' in html
    for text in PAGES[language][page]:
        assert text in html
    assert "Street network of" not in html
    assert "Vehicle dynamics assessment" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"), [("fr", "Réseau viaire de Nice"), ("it", "Rete stradale di Nice")]
)
def test_the_language_switcher_leads_to_the_translated_page(client, security_officer, language, expected):
    from django.urls import reverse

    client.force_login(security_officer)
    response = client.post(
        reverse("set_language"), {"language": language, "next": reverse("streets:list")}, follow=True
    )

    assert response.redirect_chain[-1][0] == f"/{language}/streets/"
    assert expected in response.content.decode()
