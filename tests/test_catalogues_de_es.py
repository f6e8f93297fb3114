"""German and Spanish are complete: a city officer reads the whole product in either language.

Every app with a French catalogue has a German and a Spanish one holding the same messages, every
message translated (nothing fuzzy), with the placeholders and HTML of its English text, compiled into
the .mo that Django serves, and in one vocabulary: the key terms of docs/glossary.md have one German
and one Spanish word each, in every app. Each check is a function returning what is wrong, so that
the tests at the end can show it on broken catalogues too.
"""

from __future__ import annotations

import ast
import gettext
import re
import shutil
import subprocess
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.test_glossary import typography_problems
from tests.test_translations import Entry, read_po

PACKAGE = REPO_ROOT / "pactesur"
LANGUAGES = ("de", "es")
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"

# A python-format placeholder: %(name)s, %(x).0f, %d, and the literal %%.
PYTHON_FORMAT = re.compile(r"%(?:\([A-Za-z_]\w*\))?[-#0 +]*\d*(?:\.\d+)?[sdifeEgGxXr%]")
HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
MSGFMT = shutil.which("msgfmt") or "msgfmt"


# The vocabulary: when an English message uses a term, its translation uses the chosen word. `unless`
# removes the English words that belong to a longer term of the table (a "barrier rating" is no
# "barrier"), so that the shorter term is not asked for there.


@dataclass(frozen=True)
class Term:
    english: str
    de: str
    es: str
    unless: str = ""

    def used_in(self, english: str) -> bool:
        english = PYTHON_FORMAT.sub(" ", english)
        if self.unless:
            english = re.sub(self.unless, " ", english, flags=re.IGNORECASE)
        return re.search(self.english, english, flags=re.IGNORECASE) is not None

    def found_in(self, translation: str, language: str) -> bool:
        return re.search(getattr(self, language), translation, flags=re.IGNORECASE) is not None


RATING = r"\b(?:barrier|required|crash|tested) ratings?\b|\bcrash-rated\b|\bbeyond any rating\b"
TERMS = (
    Term(r"\bramming\b", r"Überfahrtat", r"atropello masivo"),
    Term(r"\bvehicle as a weapon\b", r"Fahrzeug als Waffe", r"vehículo como arma"),
    Term(r"\bconsequences?\b", r"Schadensausmaß", r"gravedad"),
    Term(r"\bprobabilit(?:y|ies)\b", r"Wahrscheinlichkeit", r"probabilidad"),
    Term(RATING, r"Widerstandsklasse", r"clases? de resistencia"),
    Term(r"\bbarriers?\b", r"Sperre", r"barrera", unless=RATING + r"|\b(?:barrier board|jersey barriers?)\b"),
    Term(r"\bbollards?\b", r"Poller", r"bolardos?"),
    Term(r"\bpeak crowd\b", r"Spitzenbesucherzahl", r"afluencia máxima"),
    Term(r"\busual crowd\b", r"übliche[n]? Besucherzahl", r"afluencia habitual"),
    Term(r"\bcrowd figures\b", r"Besucherzahlen", r"cifras de afluencia"),
    Term(r"\bapproach analys[ie]s\b", r"Anfahrtsanalyse", r"análisis de aproximaciones"),
    Term(r"\bapproach(?:es)?\b", r"Anfahrt", r"aproximaci(?:ón|ones)", unless=r"\bapproach analys[ie]s\b"),
    Term(r"\bentry\b|\bentries\b", r"Zufahrt", r"accesos?"),
    Term(r"\bimpact speeds?\b", r"Aufprallgeschwindigkeit", r"velocidad(?:es)? de impacto"),
    Term(r"\bvehicle class(?:es)?\b", r"Fahrzeugklasse", r"clases? de vehículo"),
    Term(
        r"\bvulnerability assessments?\b",
        r"Verwundbarkeitsbewertung",
        r"evaluaci(?:ón|ones) de la vulnerabilidad",
    ),
    Term(r"\bscenarios?\b", r"Szenari", r"escenario"),
    Term(r"\bevidence\b", r"Beleg", r"evidencia"),
    Term(r"\bresidual risk\b", r"Restrisiko", r"riesgo residual"),
    Term(r"\basset value\b", r"Wert des Schutzguts", r"valor del activo"),
    Term(r"\bpublic spaces?\b", r"öffentliche[nr]? R(?:a|ä)um", r"espacios? públicos?"),
    Term(r"\bspaces?\b", r"\bOrt", r"espacio", unless=r"\bpublic spaces?\b"),
    Term(r"\bstreet networks?\b", r"Straßennetz", r"red(?:es)? viarias?"),
    Term(r"\bbase map\b", r"Grundkarte", r"mapa base"),
    Term(r"\boutlines?\b", r"Umriss", r"contornos?"),
    Term(r"\bstreetscape\b", r"Straßenelement", r"elementos urbanos"),
    Term(r"\bfootways?\b", r"Fußweg", r"sendas? peatonal"),
    Term(r"\bsecurity managers?\b", r"Sicherheitsverantwortliche", r"responsables? de seguridad"),
    Term(r"\btwo-factor\b", r"Zwei-Faktor", r"doble factor"),
    Term(r"\brecovery codes?\b", r"Wiederherstellungscode", r"códigos? de recuperación"),
)

# Quotation marks of each language around a quoted word; the English “…” must not survive.
QUOTES = {"de": ("„", "“"), "es": ("«", "»")}


# Reading the catalogues


def catalogue_name(path: Path, package: Path = PACKAGE) -> str:
    app = path.relative_to(package).parts[0]
    return "core" if app == "locale" else app


def catalogue_path(package: Path, name: str, language: str) -> Path:
    base = package if name == "core" else package / name
    return base / "locale" / language / "LC_MESSAGES" / "django.po"


def french_catalogues(package: Path = PACKAGE) -> dict[str, Path]:
    found = package.glob("**/locale/fr/LC_MESSAGES/django.po")
    return {catalogue_name(path, package): path for path in sorted(found)}


def key(entry: Entry) -> tuple[str | None, str, str | None]:
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def forms(entry: Entry) -> list[tuple[str, str]]:
    """Each translated form with the English text it translates (msgstr[1] translates the plural)."""
    return [
        (entry.msgid_plural if entry.msgid_plural and index > 0 else entry.msgid, text)
        for index, text in sorted(entry.msgstr.items())
    ]


def read_header(path: Path) -> tuple[dict[str, str], bool]:
    """The header's fields and whether it is marked fuzzy."""
    first = re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8"), maxsplit=1)[0]
    lines = first.splitlines()
    fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith("msgstr"))
    text = "".join(
        ast.literal_eval(line.partition(" ")[2] if i == start else line)
        for i, line in enumerate(lines[start:], start)
        if line.strip()
    )
    fields = dict(line.split(": ", 1) for line in text.splitlines() if ": " in line)
    return fields, fuzzy


# The checks: each returns what is wrong, in words


def missing_catalogues(package: Path = PACKAGE) -> list[str]:
    return [
        f"{name} has a French catalogue but no {language} one"
        for name in french_catalogues(package)
        for language in LANGUAGES
        if not catalogue_path(package, name, language).exists()
    ]


def header_problems(path: Path, language: str) -> list[str]:
    fields, fuzzy = read_header(path)
    found = ["the header is fuzzy"] if fuzzy else []
    if fields.get("Language") != language:
        found.append(f"Language is {fields.get('Language')!r}, not {language!r}")
    if fields.get("Plural-Forms") != PLURAL_FORMS:
        found.append(f"Plural-Forms is {fields.get('Plural-Forms')!r}, not {PLURAL_FORMS!r}")
    return found


def untranslated(path: Path) -> list[str]:
    found = []
    for entry in read_po(path):
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {entry.msgid!r}")
        expected = 2 if entry.msgid_plural else 1
        if len(entry.msgstr) != expected or not all(entry.msgstr.values()):
            found.append(f"untranslated: {entry.msgid!r}")
    return found


def message_differences(path: Path, french: Path) -> list[str]:
    ours = {key(entry) for entry in read_po(path)}
    theirs = {key(entry) for entry in read_po(french)}
    return [f"missing from {path.parent.parent.name}: {k[1]!r}" for k in sorted(theirs - ours, key=str)] + [
        f"not in the French catalogue: {k[1]!r}" for k in sorted(ours - theirs, key=str)
    ]


def placeholder_problems(path: Path) -> list[str]:
    found = []
    for entry in read_po(path):
        for english, text in forms(entry):
            for pattern, what in ((PYTHON_FORMAT, "placeholders"), (HTML_TAG, "HTML tags")):
                wanted, got = set(pattern.findall(english)), set(pattern.findall(text))
                if wanted != got:
                    found.append(f"{english!r}: {what} {sorted(wanted)} became {sorted(got)} in {text!r}")
    return found


def compiled_problems(path: Path) -> list[str]:
    """The .mo beside the .po holds exactly its translations (compile it after every change)."""
    mo = path.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_size == 0:
        return [f"{mo.name} is missing: run msgfmt --check -o django.mo django.po"]
    with mo.open("rb") as handle:
        compiled = dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for entry in read_po(path):
        msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt is not None else entry.msgid
        if entry.msgid_plural:
            expected.update({(msgid, i): text for i, text in entry.msgstr.items()})
        else:
            expected[msgid] = entry.msgstr[0]
    compiled.pop("", None)  # the header
    stale = sorted(str(k) for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k))
    return [f"{mo.name} differs from the .po (compile it again) on {k!r}" for k in stale]


def term_problems(path: Path, language: str) -> list[str]:
    return [
        f"{english!r} → {text!r}: no {getattr(term, language)!r}"
        for entry in read_po(path)
        for english, text in forms(entry)
        for term in TERMS
        if term.used_in(english) and not term.found_in(text, language)
    ]


def quote_problems(path: Path, language: str) -> list[str]:
    opening, closing = QUOTES[language]
    found = []
    for entry in read_po(path):
        for english, text in forms(entry):
            prose = HTML_TAG.sub("", text)
            if "“" in english and (opening not in prose or closing not in prose):
                found.append(f"{text!r}: quote with {opening}…{closing}")
            if language == "es" and "“" in prose:
                found.append(f"{text!r}: English quotation marks")
            if language == "de" and ("«" in prose or "»" in prose):
                found.append(f"{text!r}: French quotation marks")
    return found


def different_translations(paths: dict[str, Path]) -> list[str]:
    """One message, one translation: the core catalogue and the apps override each other."""
    seen: dict[tuple[str | None, str], dict[str, tuple[str, ...]]] = defaultdict(dict)
    for name, path in paths.items():
        for entry in read_po(path):
            text = tuple(entry.msgstr[i] for i in sorted(entry.msgstr))
            seen[(entry.msgctxt, entry.msgid)][name] = text
    return [
        f"{msgid!r}: " + "; ".join(f"{where}: {' | '.join(text)}" for where, text in sorted(found.items()))
        for (_context, msgid), found in sorted(seen.items(), key=str)
        if len(set(found.values())) > 1
    ]


# The catalogues of the repository


CATALOGUES = [
    pytest.param(language, catalogue_path(PACKAGE, name, language), id=f"{name}-{language}")
    for language in LANGUAGES
    for name in french_catalogues()
]


def _existing(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"{path.relative_to(REPO_ROOT)} is missing")
    return path


def test_every_app_with_a_french_catalogue_has_a_german_and_a_spanish_one():
    assert len(french_catalogues()) >= 9
    assert not missing_catalogues(), "\n".join(missing_catalogues())


@pytest.mark.parametrize(("language", "path"), CATALOGUES)
def test_catalogue_is_complete(language, path):
    found = header_problems(_existing(path), language) + untranslated(path)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("language", "path"), CATALOGUES)
def test_catalogue_has_the_messages_of_the_french_one(language, path):
    french = catalogue_path(PACKAGE, catalogue_name(path), "fr")
    found = message_differences(_existing(path), french)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("language", "path"), CATALOGUES)
def test_translations_keep_the_placeholders_and_tags(language, path):
    found = placeholder_problems(_existing(path))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("language", "path"), CATALOGUES)
def test_compiled_catalogue_matches_the_po_file(language, path):
    found = compiled_problems(_existing(path))
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("language", "path"), CATALOGUES)
def test_catalogue_uses_one_word_per_idea(language, path):
    found = term_problems(_existing(path), language)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("language", "path"), CATALOGUES)
def test_catalogue_follows_the_typography(language, path):
    found = quote_problems(_existing(path), language) + [
        f"{entry.msgid!r}: {'; '.join(problems)}"
        for entry in read_po(path)
        if (problems := typography_problems(entry, language))
    ]
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_message_has_one_translation_in_every_catalogue(language):
    paths = {name: catalogue_path(PACKAGE, name, language) for name in french_catalogues()}
    found = different_translations({name: path for name, path in paths.items() if path.exists()})
    assert not found, "\n".join(found)


# Django's own apps come before PACTESUR's in INSTALLED_APPS, so their catalogues win for a message they
# share; only the core catalogue (LOCALE_PATHS) comes before them. These messages show Django's words
# until the source gives them a context (pgettext) or they move to the core catalogue. Each listed one
# must still be overridden: remove it from the list once it is not.
SHOWN_AS_DJANGO_SAYS = {
    "de": {"History": "Geschichte", "active": "Aktiv"},
    "es": {"History": "Histórico", "active": "activo"},
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_django_serves_every_translation(language):
    # What a page shows: the core catalogue (LOCALE_PATHS) first, then the apps in INSTALLED_APPS order.
    from django.utils import translation

    wrong = []
    with translation.override(language):
        for name in french_catalogues():
            for entry in read_po(_existing(catalogue_path(PACKAGE, name, language))):
                if entry.msgid_plural:
                    shown = [
                        translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                        if entry.msgctxt
                        else translation.ngettext(entry.msgid, entry.msgid_plural, n)
                        for n in (1, 2)
                    ]
                    expected = [entry.msgstr[0], entry.msgstr[1]]
                else:
                    shown = [
                        translation.pgettext(entry.msgctxt, entry.msgid)
                        if entry.msgctxt
                        else translation.gettext(entry.msgid)
                    ]
                    expected = [entry.msgstr[0]]
                known = SHOWN_AS_DJANGO_SAYS[language].get(entry.msgid)
                if known is not None and shown != [known]:
                    wrong.append(
                        f"{name}: {entry.msgid!r} is not overridden any more: remove it from the list"
                    )
                elif known is None and shown != expected:
                    wrong.append(f"{name}: {entry.msgid!r} is shown as {shown!r}, not {expected!r}")
    assert not wrong, "\n".join(wrong)


# The checks find what they are written for


FRENCH = """msgid ""
msgstr ""
"Language: fr\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n > 1);\\n"

#, python-format
msgid "The peak crowd of %(name)s"
msgstr "L’affluence de pointe de %(name)s"

#, python-format
msgid "%(n)s space"
msgid_plural "%(n)s spaces"
msgstr[0] "%(n)s espace"
msgstr[1] "%(n)s espaces"

msgid "Required barrier rating"
msgstr "Classe de résistance requise"
"""

GERMAN = """msgid ""
msgstr ""
"Language: de\\n"
"Content-Type: text/plain; charset=UTF-8\\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\\n"

#, python-format
msgid "The peak crowd of %(name)s"
msgstr "Die Spitzenbesucherzahl von %(name)s"

#, python-format
msgid "%(n)s space"
msgid_plural "%(n)s spaces"
msgstr[0] "%(n)s Ort"
msgstr[1] "%(n)s Orte"

msgid "Required barrier rating"
msgstr "Erforderliche Widerstandsklasse"
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A package with one app whose French and German catalogues agree, and compiled ones."""
    for language, text in (
        ("fr", FRENCH),
        ("de", GERMAN),
        ("es", GERMAN.replace("Language: de", "Language: es")),
    ):
        path = catalogue_path(tmp_path, "spaces", language)
        path.parent.mkdir(parents=True)
        path.write_text(text, encoding="utf-8")
        mo = str(path.with_suffix(".mo"))
        subprocess.run([MSGFMT, "-o", mo, str(path)], check=True)  # noqa: S603 (GNU gettext, our files)
    return tmp_path


def _german(package: Path, old: str = "", new: str = "") -> Path:
    """The German catalogue of the sample package, rewritten with `old` replaced by `new`."""
    path = catalogue_path(package, "spaces", "de")
    assert old in GERMAN
    path.write_text(GERMAN.replace(old, new) if old else GERMAN, encoding="utf-8")
    return path


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext's msgfmt is not installed")
def test_the_checks_pass_a_good_catalogue_and_catch_each_mistake(package):
    german, french = _german(package), catalogue_path(package, "spaces", "fr")
    assert missing_catalogues(package) == []
    assert header_problems(german, "de") == []
    assert untranslated(german) == message_differences(german, french) == []
    assert placeholder_problems(german) == compiled_problems(german) == []
    assert term_problems(german, "de") == quote_problems(german, "de") == []

    german = _german(package, 'msgstr[1] "%(n)s Orte"', 'msgstr[1] ""')
    assert untranslated(german) == ["untranslated: '%(n)s space'"]
    assert compiled_problems(german) == [
        "django.mo differs from the .po (compile it again) on \"('%(n)s space', 1)\""
    ]

    german = _german(package, '#, python-format\nmsgid "The peak', '#, fuzzy, python-format\nmsgid "The peak')
    assert untranslated(german) == ["fuzzy: 'The peak crowd of %(name)s'"]

    german = _german(package, "Die Spitzenbesucherzahl von %(name)s", "Die Spitzenbesucherzahl von %(nom)s")
    assert placeholder_problems(german) == [
        "'The peak crowd of %(name)s': placeholders ['%(name)s'] became ['%(nom)s'] in "
        "'Die Spitzenbesucherzahl von %(nom)s'"
    ]

    german = _german(package, "Erforderliche Widerstandsklasse", "Erforderliche Klasse")
    assert term_problems(german, "de") == [
        "'Required barrier rating' → 'Erforderliche Klasse': no 'Widerstandsklasse'"
    ]

    german = _german(package, 'msgid "Required barrier rating"', 'msgid "Required barrier rating!"')
    assert message_differences(german, french) == [
        "missing from de: 'Required barrier rating'",
        "not in the French catalogue: 'Required barrier rating!'",
    ]

    german = _german(package, "nplurals=2; plural=(n != 1);", "nplurals=3; plural=(n != 1);")
    assert header_problems(german, "de") == [
        f"Plural-Forms is 'nplurals=3; plural=(n != 1);', not {PLURAL_FORMS!r}"
    ]

    catalogue_path(package, "spaces", "es").unlink()
    assert missing_catalogues(package) == ["spaces has a French catalogue but no es one"]


def test_the_vocabulary_takes_the_longest_term():
    entry = Entry(msgid="Barrier rating of each barrier", msgstr={0: "Widerstandsklasse jeder Sperre"})
    assert [t.english for t in TERMS if t.used_in(entry.msgid)] == [RATING, r"\bbarriers?\b"]
    assert not [t for t in TERMS if t.used_in("Required barrier rating") and t.english == r"\bbarriers?\b"]
    assert [t.english for t in TERMS if t.used_in("public spaces")] == [r"\bpublic spaces?\b"]


def test_quotes_and_a_second_translation_are_caught(tmp_path):
    path = tmp_path / "spaces" / "locale" / "de" / "LC_MESSAGES" / "django.po"
    path.parent.mkdir(parents=True)
    path.write_text(
        'msgid ""\nmsgstr ""\n"Language: de\\n"\n\n'
        'msgid "Space “%(name)s” saved."\nmsgstr "Ort «%(name)s» gespeichert."\n',
        encoding="utf-8",
    )
    assert quote_problems(path, "de") == [
        "'Ort «%(name)s» gespeichert.': quote with „…“",
        "'Ort «%(name)s» gespeichert.': French quotation marks",
    ]
    other = tmp_path / "locale" / "de" / "LC_MESSAGES" / "django.po"
    other.parent.mkdir(parents=True)
    other.write_text(
        path.read_text(encoding="utf-8").replace(
            "Ort «%(name)s» gespeichert.", "Ort „%(name)s“ gespeichert."
        ),
        encoding="utf-8",
    )
    assert different_translations({"spaces": path, "core": other}) == [
        "'Space “%(name)s” saved.': core: Ort „%(name)s“ gespeichert.; spaces: Ort «%(name)s» gespeichert."
    ]
