"""Every French and Italian catalogue speaks the vocabulary of docs/glossary.md, with French typography.

The glossary's tables name, for each English term in bold, the accepted French and Italian terms in
bold and the forbidden alternatives struck through (the file says how it is read). The catalogues of
the apps other people were changing during issue 10 keep their remaining mismatches in the lists at
the end of this file: each listed message must still be wrong (a fixed one must leave the list), and
nothing else may be.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.test_translations import PLACEHOLDER, Entry, read_po

GLOSSARY = REPO_ROOT / "docs" / "glossary.md"
PACKAGE = REPO_ROOT / "pactesur"
LANGUAGES = {"fr": "Français", "it": "Italiano"}
ENGLISH = "English"

NBSP = "\u00a0"  # before a colon and before %
NNBSP = "\u202f"  # before ; ! ? and inside « »
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_STRUCK = re.compile(r"~~(.+?)~~")
_WORD_GAP = r"[\s\-]+"
# Where a punctuation mark ends a clause (not "EPSG:4326", "https://", "7:00").
_CLAUSE_END = re.compile(r"[\s)»”’.,<…]")
_HTML_TAG = re.compile(r"<[^>]*>")
_URL = re.compile(r"\b\w+://\S+")
_CODE = re.compile(r"`[^`]*`")
_QUOTED_IN_ENGLISH = re.compile(r"“([^”]*)”")


@dataclass
class Term:
    """One checked row of the glossary."""

    english: tuple[str, ...]
    accepted: dict[str, tuple[str, ...]] = field(default_factory=dict)
    forbidden: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.english[0]


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def read_glossary(text: str) -> list[Term]:
    """The checked rows of every table whose first column is headed English."""
    terms = []
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = _cells(line)
        if cells[0] == ENGLISH:
            header = cells
            continue
        if header is None or set(line) <= set("|-: "):
            continue
        row = dict(zip(header, cells, strict=False))
        english = tuple(_BOLD.findall(row[ENGLISH]))
        if not english:
            continue
        term = Term(english)
        for language, column in LANGUAGES.items():
            cell = row.get(column, "")
            term.accepted[language] = tuple(_BOLD.findall(cell))
            term.forbidden[language] = tuple(_STRUCK.findall(cell))
        terms.append(term)
    return terms


def normalised(text: str) -> str:
    """Lower case, one kind of apostrophe and of space, so that patterns stay simple."""
    text = text.lower().replace("’", "'").replace("‘", "'")
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def _english_word(word: str) -> str:
    if len(word) > 2 and word.endswith("y"):
        return re.escape(word[:-1]) + "(?:y|ies)"
    if word.endswith("is"):
        return re.escape(word[:-2]) + "(?:is|es)"
    return re.escape(word) + "(?:s|es)?"


def _french_word(word: str) -> str:
    # Plural and feminine endings: borne(s), certifié(e)(s), véhicule(s)-bélier(s).
    return re.escape(word) if len(word) <= 2 else re.escape(word) + "(?:e?s|x|e)?"


def _italian_word(word: str) -> str:
    # The last vowel changes with number and gender: classe/classi, attacco/attacchi, rischio/rischi.
    if len(word) <= 2 or word[-1] not in "aeio":
        return re.escape(word)
    stem = word[:-1]
    if stem[-1] in "cg" and stem[-2:] not in ("ci", "gi"):
        return re.escape(stem) + "h?[aeiou]"
    return re.escape(stem) + "[aeiou]?"


_INFLECT = {"en": _english_word, "fr": _french_word, "it": _italian_word}


def term_pattern(term: str, language: str) -> re.Pattern[str]:
    """A glossary term as a regular expression that accepts its inflected forms."""
    words = [w for w in re.split(_WORD_GAP, normalised(term)) if w]
    body = _WORD_GAP.join(_INFLECT[language](w) for w in words)
    return re.compile(rf"(?<!\w){body}(?!\w)")


@dataclass(frozen=True)
class Finding:
    msgid: str
    problem: str


class Checker:
    """Checks catalogue entries against the glossary."""

    def __init__(self, terms: list[Term]):
        self.terms = terms
        self._english = [[term_pattern(t, "en") for t in term.english] for term in terms]
        self._accepted = {
            lang: [[term_pattern(t, lang) for t in term.accepted[lang]] for term in terms]
            for lang in LANGUAGES
        }
        self._forbidden = {
            lang: [[term_pattern(t, lang) for t in term.forbidden[lang]] for term in terms]
            for lang in LANGUAGES
        }

    def terms_in(self, english: str) -> list[int]:
        """The rows whose English term the text uses; a longer term hides a shorter one inside it."""
        text = normalised(english)
        spans = [
            (row, m.start(), m.end())
            for row, patterns in enumerate(self._english)
            for pattern in patterns
            for m in pattern.finditer(text)
        ]
        used = set()
        for row, start, end in spans:
            hidden = any(
                other != row and s <= start and end <= e and (e - s) > (end - start) for other, s, e in spans
            )
            if not hidden:
                used.add(row)
        return sorted(used)

    def problems(self, entry: Entry, language: str) -> list[str]:
        """What is wrong with one entry's translations against the glossary, in words."""
        english = " ".join(filter(None, (entry.msgid, entry.msgid_plural)))
        found = []
        for row in self.terms_in(english):
            term = self.terms[row]
            accepted = self._accepted[language][row]
            forbidden = self._forbidden[language][row]
            for translation in entry.msgstr.values():
                text = normalised(translation)
                if accepted and not any(p.search(text) for p in accepted):
                    wanted = " / ".join(term.accepted[language])
                    found.append(f"“{term.name}” should be “{wanted}”")
                for struck, pattern in zip(term.forbidden[language], forbidden, strict=True):
                    if pattern.search(text):
                        found.append(f"“{term.name}” is not “{struck}”")
        return sorted(set(found))


def _without_literals(entry: Entry, translation: str) -> str:
    """The translation with what is not prose (placeholders, tags, code, quoted literals) blanked."""
    literals = _QUOTED_IN_ENGLISH.findall(entry.msgid) + _CODE.findall(entry.msgid)
    for literal in sorted(literals, key=len, reverse=True):
        if literal and literal in translation:
            translation = translation.replace(literal, "X")
    for pattern in (_CODE, _URL, _HTML_TAG, PLACEHOLDER):
        translation = pattern.sub("X", translation)
    return translation


def _ends_clause(text: str, index: int) -> bool:
    return index + 1 >= len(text) or bool(_CLAUSE_END.match(text[index + 1]))


def typography_problems(entry: Entry, language: str) -> list[str]:
    """French: no-break spaces before : and %, narrow ones before ; ! ? and inside « »; both: ’ not '."""
    found = []
    for translation in entry.msgstr.values():
        text = _without_literals(entry, translation)
        for m in re.finditer(r"[:;!?]", text):
            i, mark = m.start(), m.group()
            if i == 0 or not _ends_clause(text, i):
                continue
            before = text[i - 1]
            if language == "fr":
                wanted = NBSP if mark == ":" else NNBSP
                if before != wanted:
                    found.append(f"{'no-break' if mark == ':' else 'narrow no-break'} space before “{mark}”")
            elif before.isspace():
                found.append(f"no space before “{mark}”")
        for i, char in enumerate(text):
            inside = text[i + 1 : i + 2] if char == "«" else text[i - 1 : i] if char == "»" else None
            if inside is None:
                continue
            if language == "fr" and inside != NNBSP:
                found.append("narrow no-break space inside « »")
            elif language != "fr" and inside.isspace():
                found.append("no space inside « »")
        if language == "fr" and re.search(rf"(?<!{NBSP})%%", text):
            found.append("no-break space before “%”")
        if "'" in text:
            found.append("typographic apostrophe ’")
    return sorted(set(found))


def catalogue_id(path: Path) -> str:
    app = path.relative_to(PACKAGE).parts[0]
    language = path.parts[-3]
    return f"{'core' if app == 'locale' else app}-{language}"


def catalogue_paths(language: str) -> list[Path]:
    return sorted(PACKAGE.glob(f"**/locale/{language}/LC_MESSAGES/django.po"))


CATALOGUES = [
    pytest.param(language, path, id=catalogue_id(path))
    for language in LANGUAGES
    for path in catalogue_paths(language)
]


@pytest.fixture(scope="module")
def checker() -> Checker:
    return Checker(read_glossary(GLOSSARY.read_text(encoding="utf-8")))


def _compare(found: dict[str, list[str]], expected: frozenset[str], what: str) -> None:
    """Fail on a problem not listed, and on a listed message that is now right."""
    new = {msgid: problems for msgid, problems in found.items() if msgid not in expected}
    fixed = sorted(expected - set(found))
    report = [f"{msgid!r}: {'; '.join(problems)}" for msgid, problems in sorted(new.items())]
    report += [f"{msgid!r} is right now: remove it from the list of {what} to fix" for msgid in fixed]
    assert not report, "\n".join(report)


# The glossary itself


def test_the_glossary_has_the_security_vocabulary_in_french_and_italian(checker):
    names = {term.name for term in checker.terms}

    assert len(checker.terms) >= 40
    assert {
        "barrier rating",
        "beyond any rating",
        "peak crowd",
        "consequence",
        "vehicle ramming attack",
    } <= names
    for term in checker.terms:
        for language in LANGUAGES:
            assert term.accepted[language], f"“{term.name}” has no {language} term in bold"


def test_every_english_term_belongs_to_one_row(checker):
    seen: dict[str, str] = {}
    for term in checker.terms:
        for english in term.english:
            assert english.lower() not in seen, (
                f"“{english}” is in the rows of “{seen.get(english.lower())}” too"
            )
            seen[english.lower()] = term.name


def test_terms_match_their_plurals_and_elisions():
    assert term_pattern("barrier rating", "en").search("barrier ratings needed")
    assert term_pattern("entry", "en").search("entries above 16 km/h")
    assert term_pattern("approach analysis", "en").search("approach analyses")
    assert term_pattern("classe de résistance", "fr").search("classes de résistance requises")
    assert term_pattern("véhicule-bélier", "fr").search("attaques aux véhicules béliers")
    assert term_pattern("vitesse d’impact", "fr").search(normalised("vitesse d'impact"))
    assert term_pattern("attacco con veicolo ariete", "it").search("attacchi con veicoli ariete")
    assert term_pattern("rischio", "it").search("rischi principali")
    assert not term_pattern("borne", "fr").search("bornage")
    assert not term_pattern("crowd", "en").search("crowded queues")


def test_the_known_mistakes_are_caught(checker):
    def problems(msgid: str, msgstr: str, language: str = "fr") -> list[str]:
        return checker.problems(Entry(msgid=msgid, msgstr={0: msgstr}), language)

    assert problems("beyond any rating", "au-delà de toute certification")
    assert problems("beyond any rating", "au-delà de toute classe")
    assert not problems("beyond any rating", "au-delà de toute classe de résistance")
    assert problems("Required barrier rating", "Classe de barrière requise")
    assert problems("Required barrier rating", "Classe di barriera richiesta", "it")
    assert problems("Peak crowd", "Fréquentation de pointe")
    assert problems("Peak crowd", "Affollamento di punta", "it")
    assert not problems("Peak crowd", "Affluence de pointe")
    assert problems("Consequence", "Conséquence")
    assert not problems("Consequence", "Gravità", "it")
    assert problems("Vehicle as a weapon (ramming)", "Veicolo usato come arma (sfondamento)", "it")


def test_a_longer_term_hides_the_shorter_one_it_contains(checker):
    # "peak crowd" asks for "affluence de pointe", not for "foule" as "crowd" alone would.
    entry = Entry(msgid="Peak crowd (people)", msgstr={0: "Affluence de pointe (personnes)"})
    assert checker.problems(entry, "fr") == []
    entry = Entry(msgid="Peak crowd near the crowd", msgstr={0: "Affluence de pointe près de la cohue"})
    assert checker.problems(entry, "fr") == ["“crowd” should be “foule”"]


def test_typography_rules():
    def problems(msgid: str, msgstr: str, language: str = "fr") -> list[str]:
        return typography_problems(Entry(msgid=msgid, msgstr={0: msgstr}), language)

    assert problems("Address:", "Adresse :") == ["no-break space before “:”"]
    assert problems("Address:", f"Adresse{NBSP}:") == []
    assert problems("Why?", f"Pourquoi{NBSP}?") == ["narrow no-break space before “?”"]
    assert problems("Role “%(role)s”", "Rôle « %(role)s »") == ["narrow no-break space inside « »"]
    assert problems("Role “%(role)s”", f"Rôle «{NNBSP}%(role)s{NNBSP}»") == []
    assert problems("It's", "C'est") == ["typographic apostrophe ’"]
    assert problems("%(n)s%% of it", "%(n)s %% de") == ["no-break space before “%”"]
    assert problems("%(n)s%% of it", f"%(n)s{NBSP}%% de") == []
    # Literals stay as they are: a header, a projection, a link, a time.
    header = "send it as the header “Authorization: Bearer …”."
    assert problems(header, f"envoyez-le dans l’en-tête «{NNBSP}Authorization: Bearer …{NNBSP}».") == []
    assert problems("in EPSG:4326", "en EPSG:4326") == []
    assert problems("Address", "Indirizzo :", "it") == ["no space before “:”"]
    assert problems("market 7:00–13:00", "mercato 7:00–13:00", "it") == []


# The catalogues


@pytest.mark.parametrize(("language", "path"), CATALOGUES)
def test_catalogue_uses_the_glossary(checker, language, path):
    found = {}
    for entry in read_po(path):
        problems = checker.problems(entry, language)
        if problems:
            found[entry.msgid] = problems
    _compare(found, GLOSSARY_TO_FIX.get(catalogue_id(path), frozenset()), "glossary mismatches")


@pytest.mark.parametrize(("language", "path"), CATALOGUES)
def test_catalogue_follows_the_typography(language, path):
    found = [
        f"{entry.msgid!r}: {'; '.join(problems)}"
        for entry in read_po(path)
        if (problems := typography_problems(entry, language))
    ]
    where = catalogue_id(path)
    if where in TYPOGRAPHY_NOT_YET_APPLIED:
        assert found, f"{where} follows the typography now: remove it from TYPOGRAPHY_NOT_YET_APPLIED"
        pytest.xfail(f"{len(found)} messages of {where} still to fix")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("language", LANGUAGES)
def test_one_message_has_one_translation_in_every_catalogue(language):
    # The core catalogue (LOCALE_PATHS) overrides the apps', and apps override each other in
    # INSTALLED_APPS order: two translations of one message would show one of them at random.
    translations: dict[tuple[str | None, str], dict[str, tuple[str, ...]]] = defaultdict(dict)
    for path in catalogue_paths(language):
        for entry in read_po(path):
            key = (entry.msgctxt, entry.msgid)
            translations[key][catalogue_id(path)] = tuple(entry.msgstr[i] for i in sorted(entry.msgstr))
    found = {
        msgid: [f"{where}: {' | '.join(text)}" for where, text in sorted(by_catalogue.items())]
        for (_context, msgid), by_catalogue in translations.items()
        if len(set(by_catalogue.values())) > 1
    }
    _compare(found, DIFFERENT_TRANSLATIONS_TO_FIX.get(language, frozenset()), "messages translated twice")


# Still to fix in the catalogues of analysis, assessments, spaces and streets (issue 10, item 12:
# changed by other people at the same time). Empty these lists as the fixes are applied; the
# typography is listed by catalogue, as every French message with a colon needs it.

GLOSSARY_TO_FIX: dict[str, frozenset[str]] = {
    "analysis-fr": frozenset(
        {
            (
                "Speeds of the previous street network (version %(version)s), shown while those of the "
                "new one are computed."
            ),
            "barrier board",
        }
    ),
    "analysis-it": frozenset(
        {
            "barrier board",
        }
    ),
}

TYPOGRAPHY_NOT_YET_APPLIED: frozenset[str] = frozenset()

DIFFERENT_TRANSLATIONS_TO_FIX: dict[str, frozenset[str]] = {}
