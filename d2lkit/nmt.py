"""Machine translation data (§9.5): the book's English-French corpus, and a corpus our own code generates.

The book trains on ``fra-eng.zip`` (tab-separated ``English<TAB>French`` lines from the Tatoeba project),
which needs the network: ``read_fra_eng_text()`` finds it in ``$D2L_DATA_DIR`` or the cache, or downloads
it from the book's URL and checks its sha1, like the book's ``d2l.download_extract('fra-eng')``.

For the checks and CI, ``generated_fra_eng_text()`` writes a parallel corpus in the same line format from a
small grammar, deterministically (the same text on every machine, no file, no network). It has what makes
translation more than a word-for-word lookup, in a vocabulary small enough to learn on a CPU in seconds:

- agreement: verbs with their subjects (``he sees`` / ``ils voient``), adjectives and possessives with the
  gender and number of their noun (``la voiture verte``, ``les chiens noirs``, ``mes tasses``);
- word-order changes: colour adjectives after the noun, object pronouns before the verb (``je le vois``),
  negation around the verb (``elle ne la voit pas``), ``de`` for ``un``/``une``/``des`` after a negation,
  ``de`` + ``le`` = ``du``, elision (``n'est``, ``j'achète``, ``qu'il``);
- varied lengths: one-word orders (``Go.`` / ``Va !``) to three coordinated clauses (30 tokens), sorted
  by the length of the English side like the book's file, so that the first lines are the short ones;
- the raw file's habits: capitals, punctuation attached to the words, and a narrow no-break space
  (``\\u202f``, sometimes ``\\xa0``) before the French ``!`` and ``?``, which §9.5's preprocessing removes.

Every English sentence has exactly one French translation (ambiguous words such as ``it`` are left out),
so a model can learn the corpus exactly.
"""
from __future__ import annotations

import functools
import random
import zipfile
from pathlib import Path

from d2lkit.data import DATA_URL, _downloads_allowed, _not_found, cache_dir, search_dirs, sha1

FRA_ENG = ("fra-eng.zip", DATA_URL + "fra-eng.zip", "94646ad1522d915e7b0f9296181140edcf86a4f5")
NUM_LINES = 12000
CORPORA = ("generated", "fra-eng")

# --- the grammar -------------------------------------------------------------------------------------------

# English pronoun, French subject, person/number index into the verb tables, gender, possessive key
PRONOUNS = [
    ("I", "je", 0, "m", "my"), ("you", "vous", 4, "m", "your"), ("he", "il", 2, "m", "his"),
    ("she", "elle", 2, "f", "her"), ("we", "nous", 3, "m", "our"), ("they", "ils", 5, "m", "their"),
]
OBJECT_PRONOUNS = [("him", "le"), ("her", "la"), ("them", "les")]
# English singular, English plural, French singular, French plural, gender
NOUNS = [
    ("boy", "boys", "garçon", "garçons", "m"), ("girl", "girls", "fille", "filles", "f"),
    ("dog", "dogs", "chien", "chiens", "m"), ("cat", "cats", "chat", "chats", "m"),
    ("car", "cars", "voiture", "voitures", "f"), ("house", "houses", "maison", "maisons", "f"),
    ("book", "books", "livre", "livres", "m"), ("table", "tables", "table", "tables", "f"),
    ("horse", "horses", "cheval", "chevaux", "m"), ("flower", "flowers", "fleur", "fleurs", "f"),
    ("apple", "apples", "pomme", "pommes", "f"), ("door", "doors", "porte", "portes", "f"),
    ("hat", "hats", "chapeau", "chapeaux", "m"), ("cup", "cups", "tasse", "tasses", "f"),
    ("bike", "bikes", "vélo", "vélos", "m"), ("box", "boxes", "boîte", "boîtes", "f"),
]
ANIMATE = {"boy", "girl", "dog", "cat", "horse"}
THINGS = [n for n in NOUNS if n[0] not in ANIMATE]
PLACES = [n for n in NOUNS if n[0] in ("car", "house", "table", "box", "book", "bike")]
# forms: masculine singular, feminine singular, masculine plural, feminine plural
COLOURS = {"red": ("rouge", "rouge", "rouges", "rouges"), "black": ("noir", "noire", "noirs", "noires"),
           "green": ("vert", "verte", "verts", "vertes"), "white": ("blanc", "blanche", "blancs", "blanches"),
           "blue": ("bleu", "bleue", "bleus", "bleues")}
SIZES = {"small": ("petit", "petite", "petits", "petites"), "big": ("grand", "grande", "grands", "grandes")}
STATES = {"tired": ("fatigué", "fatiguée", "fatigués", "fatiguées"),
          "happy": ("heureux", "heureuse", "heureux", "heureuses"),
          "sad": ("triste", "triste", "tristes", "tristes"), "sick": ("malade", "malade", "malades", "malades"),
          "ready": ("prêt", "prête", "prêts", "prêtes")}
# English base, English third person singular, French forms for je, tu, il/elle, nous, vous, ils
VERBS = {
    "see": ("see", "sees", ("vois", "vois", "voit", "voyons", "voyez", "voient")),
    "want": ("want", "wants", ("veux", "veux", "veut", "voulons", "voulez", "veulent")),
    "take": ("take", "takes", ("prends", "prends", "prend", "prenons", "prenez", "prennent")),
    "find": ("find", "finds", ("trouve", "trouves", "trouve", "trouvons", "trouvez", "trouvent")),
    "buy": ("buy", "buys", ("achète", "achètes", "achète", "achetons", "achetez", "achètent")),
    "wash": ("wash", "washes", ("lave", "laves", "lave", "lavons", "lavez", "lavent")),
}
PERSON_VERBS = ("see", "find", "wash")          # verbs that take him / her / them
BE = ("suis", "es", "est", "sommes", "êtes", "sont")
BE_EN = ("am", "are", "is", "are", "are", "are")
PREPOSITIONS = {"on": ["sur"], "under": ["sous"], "in": ["dans"], "behind": ["derrière"],
                "in front of": ["devant"], "near": ["près", "de"]}
POSSESSIVES = {"my": ("mon", "ma", "mes"), "your": ("votre", "votre", "vos"), "his": ("son", "sa", "ses"),
               "her": ("son", "sa", "ses"), "our": ("notre", "notre", "nos"), "their": ("leur", "leur", "leurs")}
ORDERS = [("go", "va"), ("run", "cours"), ("stop", "arrête"), ("wait", "attends"), ("come", "viens"),
          ("look", "regarde"), ("listen", "écoute"), ("eat", "mange"), ("read", "lis"), ("hello", "bonjour"),
          ("thanks", "merci"), ("help", "à l'aide")]
CONJUNCTIONS = [("and", "et"), ("but", "mais")]
VOWELS = tuple("aeiouéèêâîôûh")


def _elide(words: list[str]) -> list[str]:
    """je/ne/le/la/que/de + a vowel: j'/n'/l'/qu'/d' joined to the next word."""
    out: list[str] = []
    short = {"je": "j'", "ne": "n'", "le": "l'", "la": "l'", "que": "qu'", "de": "d'"}
    for word in words:
        if out and out[-1] in short and word.startswith(VOWELS) and not word.startswith("h"):
            out[-1] = short[out[-1]] + word
        else:
            out.append(word)
    return out


def _contract(words: list[str]) -> list[str]:
    """de le -> du, de les -> des."""
    out: list[str] = []
    for word in words:
        if out and out[-1] == "de" and word in ("le", "les"):
            out[-1] = "du" if word == "le" else "des"
        else:
            out.append(word)
    return out


class _Grammar:
    def __init__(self, rng: random.Random):
        self.rng = rng

    def pick(self, items):
        return items[self.rng.randrange(len(items))]

    def noun_phrase(self, nouns=NOUNS, *, negated=False, allow_possessive=True):
        """(English words, French words, person index, gender, plural)."""
        en_sg, en_pl, fr_sg, fr_pl, gender = self.pick(nouns)
        plural = self.rng.random() < 0.35
        kind = self.rng.random()
        if kind < 0.5 or not allow_possessive and kind < 0.8:
            det_en, det_fr = "the", ("les" if plural else "le" if gender == "m" else "la")
        elif kind < 0.8:
            det_en = ("any" if negated else "some") if plural else "a"
            det_fr = "de" if negated else ("des" if plural else "un" if gender == "m" else "une")
        else:
            det_en = self.pick(list(POSSESSIVES))
            forms = POSSESSIVES[det_en]
            det_fr = forms[2] if plural else forms[0] if gender == "m" else forms[1]
        en, fr = [det_en], [det_fr]
        noun_en, noun_fr = (en_pl, fr_pl) if plural else (en_sg, fr_sg)
        index = (2 if plural else 0) + (1 if gender == "f" else 0)
        adjective = self.rng.random()
        if adjective < 0.3:
            colour = self.pick(list(COLOURS))
            en += [colour, noun_en]
            fr += [noun_fr, COLOURS[colour][index]]
        elif adjective < 0.45:
            size = self.pick(list(SIZES))
            en += [size, noun_en]
            fr += [SIZES[size][index], noun_fr]
        else:
            en.append(noun_en)
            fr.append(noun_fr)
        if det_fr == "des" and 0.3 <= adjective < 0.45:
            fr[0] = "de"        # des + an adjective before the noun: de (de petits chats)
        return en, fr, (5 if plural else 2), gender, plural

    def subject(self):
        if self.rng.random() < 0.55:
            en, fr, person, gender, _ = self.pick(PRONOUNS)
            return [en], [fr], person, gender
        en, fr, person, gender, _ = self.noun_phrase([n for n in NOUNS if n[0] in ANIMATE])
        return en, fr, person, gender

    def be_state(self):
        en, fr, person, gender = self.subject()
        word = self.pick(list(STATES))
        plural = person in (3, 4, 5)
        index = (2 if plural else 0) + (1 if gender == "f" else 0)
        negated = self.rng.random() < 0.3
        be_en = BE_EN[person]
        if negated:
            return en + [be_en, "not", word], fr + ["ne", BE[person], "pas", STATES[word][index]]
        return en + [be_en, word], fr + [BE[person], STATES[word][index]]

    def transitive(self):
        en, fr, person, _ = self.subject()
        verb = self.pick(list(VERBS))
        base, third, forms = VERBS[verb]
        negated = self.rng.random() < 0.3
        if verb in PERSON_VERBS and self.rng.random() < 0.3:
            pronoun_en, pronoun_fr = self.pick(OBJECT_PRONOUNS)
            if negated:
                aux = "does" if person == 2 else "do"
                return (en + [aux, "not", base, pronoun_en],
                        fr + ["ne", pronoun_fr, forms[person], "pas"])
            return en + [third if person == 2 else base, pronoun_en], fr + [pronoun_fr, forms[person]]
        obj_en, obj_fr, *_ = self.noun_phrase(THINGS if verb in ("buy", "take") else NOUNS, negated=negated)
        if negated:
            aux = "does" if person == 2 else "do"
            return en + [aux, "not", base] + obj_en, fr + ["ne", forms[person], "pas"] + obj_fr
        return en + [third if person == 2 else base] + obj_en, fr + [forms[person]] + obj_fr

    def location(self):
        en, fr, person, _, _ = self.noun_phrase(NOUNS, allow_possessive=True)
        prep = self.pick(list(PREPOSITIONS))
        place_en, place_fr, *_ = self.noun_phrase(PLACES, allow_possessive=False)
        return (en + [BE_EN[person]] + prep.split() + place_en,
                _contract(fr + [BE[person]] + PREPOSITIONS[prep] + place_fr))

    def clause(self):
        kind = self.rng.random()
        if kind < 0.3:
            return self.be_state()
        if kind < 0.75:
            return self.transitive()
        return self.location()

    def sentence(self):
        """(English raw, French raw)."""
        kind = self.rng.random()
        if kind < 0.04:
            en_word, fr_word = self.pick(ORDERS)
            mark = "!" if self.rng.random() < 0.6 else "."
            return _render([en_word], mark), _render(fr_word.split(), mark, french=True, rng=self.rng)
        if kind < 0.14:
            en, fr = self.question()
            return _render(en, "?"), _render(_elide(fr), "?", french=True, rng=self.rng)
        clauses = 1 + (self.rng.random() < 0.45) + (self.rng.random() < 0.25)
        en, fr = self.clause()
        for _ in range(clauses - 1):
            conj_en, conj_fr = self.pick(CONJUNCTIONS)
            more_en, more_fr = self.clause()
            en, fr = en + [conj_en] + more_en, fr + [conj_fr] + more_fr
        mark = "!" if self.rng.random() < 0.1 else "."
        return _render(en, mark), _render(_elide(_contract(fr)), mark, french=True, rng=self.rng)

    def question(self):
        """Is she tired? / Does he see the car? -> Est-ce qu'elle est fatiguée ? / Est-ce qu'il voit la voiture ?"""
        en, fr, person, gender = self.subject()
        if self.rng.random() < 0.4:
            word = self.pick(list(STATES))
            index = (2 if person in (3, 4, 5) else 0) + (1 if gender == "f" else 0)
            return [BE_EN[person]] + en + [word], ["est-ce", "que"] + fr + [BE[person], STATES[word][index]]
        verb = self.pick(list(VERBS))
        base, _, forms = VERBS[verb]
        obj_en, obj_fr, *_ = self.noun_phrase(THINGS if verb in ("buy", "take") else NOUNS)
        return ["does" if person == 2 else "do"] + en + [base] + obj_en, ["est-ce", "que"] + fr + [forms[person]] + obj_fr


def _render(words: list[str], mark: str, *, french: bool = False, rng: random.Random | None = None) -> str:
    """Raw text as the corpus file has it: a capital first letter, 'I' in capitals, the mark attached (English,
    French '.') or after a narrow no-break space (French '!' and '?', now and then a no-break space)."""
    words = ["I" if w == "i" and not french else w for w in words]
    text = " ".join(words)
    text = text[:1].upper() + text[1:]
    if french and mark in "!?":
        space = "\xa0" if rng is not None and rng.random() < 0.15 else "\u202f"
        return text + space + mark
    return text + mark


@functools.lru_cache(maxsize=4)
def generated_fra_eng_text(num_lines: int = NUM_LINES, seed: int = 0) -> str:
    """The generated English-French corpus: ``num_lines`` distinct ``English\\tFrench`` lines, each ending with
    ``\\n``, sorted by the number of words of the English side (ties in the order they were generated).

    Deterministic: the same ``num_lines`` and ``seed`` give the same text on every machine.
    """
    grammar = _Grammar(random.Random(seed))
    seen: dict[str, str] = {}
    order = 0
    attempts = 0
    while len(seen) < num_lines:
        attempts += 1
        if attempts > 50 * num_lines:
            raise ValueError(f"the grammar cannot make {num_lines} distinct sentences")
        en, fr = grammar.sentence()
        if en not in seen:
            seen[en] = (order, fr)
            order += 1
    lines = sorted(seen.items(), key=lambda item: (len(item[0].split()), item[1][0]))
    return "".join(f"{en}\t{fr}\n" for en, (_, fr) in lines)


# --- the book's corpus -------------------------------------------------------------------------------------

def _fra_eng_candidates() -> list[Path]:
    found = []
    for d in search_dirs():
        found += [d / "fra-eng" / "fra.txt", d / "fra.txt"]
    return found


def read_fra_eng_text() -> str:
    """The raw text of the book's English-French corpus (``fra-eng/fra.txt`` of ``fra-eng.zip``).

    Looked for in ``$D2L_DATA_DIR`` and the cache (``fra-eng/fra.txt``, or ``fra-eng.zip`` to extract), else
    downloaded from the book's URL into the cache and checked against the book's sha1 (set
    ``D2L_NO_DOWNLOAD=1`` to forbid the network).
    """
    for path in _fra_eng_candidates():
        if path.is_file():
            return path.read_text(encoding="utf-8")
    name, url, digest = FRA_ENG
    looked = search_dirs()
    archive = next((d / name for d in looked if (d / name).is_file()), None)
    if archive is None:
        if not _downloads_allowed():
            raise _not_found("fra-eng.zip (the book's English-French corpus)", looked,
                             "Downloads are off (D2L_NO_DOWNLOAD is set). read_nmt_text('generated') needs no file.")
        import urllib.request
        folder = cache_dir()
        folder.mkdir(parents=True, exist_ok=True)
        archive = folder / name
        try:
            with urllib.request.urlopen(url, timeout=60) as r, open(archive, "wb") as f:
                f.write(r.read())
        except OSError as e:
            raise _not_found(name, looked, f"The download failed: {e}") from None
    if sha1(archive) != digest:
        raise _not_found(name, looked, f"{archive} has the wrong sha1 (expected {digest}): delete it and retry")
    with zipfile.ZipFile(archive) as z:
        z.extractall(archive.parent)
    return (archive.parent / "fra-eng" / "fra.txt").read_text(encoding="utf-8")


def read_nmt_text(corpus: str = "generated") -> str:
    """The raw text of an English-French corpus: ``'generated'`` (``generated_fra_eng_text()``, the default:
    no file, no network) or ``'fra-eng'`` (the book's, ``read_fra_eng_text()``)."""
    if corpus == "generated":
        return generated_fra_eng_text()
    if corpus == "fra-eng":
        return read_fra_eng_text()
    raise ValueError(f"unknown corpus {corpus!r}: use one of {CORPORA}")
