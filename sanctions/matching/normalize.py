"""Name normalisation, shared by indexing (list entries) and querying (report subjects), so both
sides of a comparison are always folded the same way.

A name becomes one or more *forms* (several when it is written in a script with more than one
reading, e.g. Han characters read as Chinese, Korean or Japanese), each a tuple of tokens with a
role: an ordinary name part, a particle (al-, bin, abu...), a legal form (Ltd, JSC...) or a
number."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii
from rapidfuzz.distance import OSA

PART, PARTICLE, LEGAL_FORM, NUMBER = "part", "particle", "legal_form", "number"


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    role: str = PART

    @property
    def key(self) -> str:
        return phonetic_key(self.text)

    def __reduce__(self):
        # A stored index holds hundreds of thousands of tokens: the slots dataclass's own state
        # protocol sets each field through object.__setattr__, three times slower to load.
        return Token, (self.text, self.role)


NameForm = tuple[Token, ...]

# Titles and honorifics carry no identity.
HONORIFICS = frozenset("""
mr mrs ms miss dr prof sir lord lady sheikh shaykh sheik haji hajji hadji mullah mulla maulavi mawlawi maulvi
qari sayyid sayed syed imam gen colonel col maj capt lieutenant lt admiral adm
comrade marshal hon honorable excellency
president presidente prasident premier chancellor senator ambassador minister
""".split())

# Arabic and other particles: kept (Abu Bakr is not Bakr) but weigh little.
PARTICLES = {"al": "al", "el": "al", "ul": "al", "bin": "bin", "ben": "bin", "ibn": "bin", "bint": "bint",
             "van": "van", "von": "von",
             "der": "der", "de": "de", "da": "da", "di": "di", "du": "du", "la": "la", "le": "le", "del": "del",
             "y": "y", "bte": "bint", "binti": "bint", "bn": "bin"}

# Organisation legal forms, folded to one spelling so "Limited" and "Ltd." agree; they weigh little.
LEGAL_FORMS = {
    "co": "co", "company": "co", "companies": "co", "corp": "corp", "corporation": "corp", "inc": "inc",
    "incorporated": "inc", "ltd": "ltd", "limited": "ltd", "llc": "llc", "plc": "plc", "llp": "llp", "lp": "lp",
    "gmbh": "gmbh", "ag": "ag", "sa": "sa", "sas": "sas", "sarl": "sarl", "srl": "srl", "spa": "spa", "bv": "bv",
    "nv": "nv", "kg": "kg", "oy": "oy", "ab": "ab", "as": "as", "jsc": "jsc", "ojsc": "jsc", "pjsc": "jsc",
    "cjsc": "jsc", "ooo": "ooo", "oao": "jsc", "zao": "jsc", "pao": "jsc", "ao": "jsc", "tov": "ooo",
    "pte": "pte", "pty": "pty", "sdn": "sdn", "bhd": "bhd", "kk": "kk", "trading": "trading", "and": "and",
    "the": "the", "of": "of", "for": "for", "jv": "jv", "fzc": "fzc", "fze": "fze", "fzco": "fzc", "dmcc": "dmcc",
    "holding": "holding", "holdings": "holding", "hk": "hk", "ano": "ano",
    "spzoo": "spzoo", "srl": "srl", "group": "group", "enterprise": "enterprise", "enterprises": "enterprise",
}
# Abbreviated ordinary words, written out ("First Bank Int'l" is "First International Bank").
WORD_ABBREVIATIONS = {"intl": "international", "natl": "national", "dept": "department", "govt": "government"}
# Multi-word legal forms, folded before tokenising.
LEGAL_PHRASES = [
    (re.compile(r"\b(?:open|closed)[\s-]+joint[\s-]+stock[\s-]+company\b"), " jsc "),
    (re.compile(r"\bjoint[\s-]+stock[\s-]+company\b"), " jsc "),
    (re.compile(r"\bpublic[\s-]+joint[\s-]+stock[\s-]+company\b"), " jsc "),
    (re.compile(r"\blimited[\s-]+liability[\s-]+company\b"), " llc "),
    (re.compile(r"\bpublic[\s-]+limited[\s-]+company\b"), " plc "),
    (re.compile(r"\bco[\s-]+ltd\b"), " co ltd "),
    (re.compile(r"\baktiengesellschaft\b"), " ag "),
    (re.compile(r"\bgesellschaft mit beschrankter haftung\b"), " gmbh "),
    (re.compile(r"\bobshchestvo s ogranichennoy otvetstvennostyu\b"), " ooo "),
    (re.compile(r"\bsocietatea cu raspundere limitata\b"), " srl "),
    (re.compile(r"\bsp\.? z o\.? ?o\.?"), " spzoo "),
    # Dotted country abbreviations: "U.S. Department of State" is the "United States Department of State".
    (re.compile(r"\bu\.s\.(?:a\.)?"), " united states "),
    (re.compile(r"\bu\.k\."), " united kingdom "),
]
# The same phrases as words, for misspelt ("Joynt Stock Company") or cut-short ("Joint Stock Compan")
# legal forms, which the patterns above miss: word by word, one edit in a word of five letters or
# more, and the name's last word may be cut short (a form field too narrow for it).
FUZZY_LEGAL_PHRASES = [
    (("joint", "stock", "company"), "jsc"),
    (("limited", "liability", "company"), "llc"),
    (("public", "limited", "company"), "plc"),
    (("aktiengesellschaft",), "ag"),
    (("corporation",), "corp"),
    (("incorporated",), "inc"),
    (("limited",), "ltd"),
    (("company",), "co"),
]
# Dotted abbreviations ("L.L.C.", "p.l.c.", "S.A.") become one token.
DOTTED_ABBREVIATION = re.compile(r"\b(?:[a-z]\.){2,}")
APOSTROPHES = "'’‘`ʿʾ´ʻʼ"
SEPARATORS = re.compile(r"[^a-z0-9]+")

_HAN, _HANGUL, _KANA = "han", "hangul", "kana"

# Korean readings of Han surnames that differ from the character's ordinary reading.
KOREAN_SURNAME_READING = {"金": "김", "李": "이", "朴": "박", "崔": "최", "鄭": "정", "柳": "유", "盧": "노", "羅": "나",
                          "呂": "여", "梁": "양", "林": "임", "劉": "유", "廉": "염", "陸": "육", "龍": "용"}


_CJK = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _script_of(char: str) -> str:
    code = ord(char)
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return _HANGUL
    if 0x3040 <= code <= 0x30FF:
        return _KANA
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0xF900 <= code <= 0xFAFF:
        return _HAN
    return "other"


def _split_camel(text: str) -> str:
    # anyascii writes one capitalised syllable per CJK character: "GimJeongEun" -> "Gim Jeong Eun",
    # "ISeolJu" -> "I Seol Ju" (a syllable may be a single vowel).
    return re.sub(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", text)


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def _korean_reading(text: str) -> str:
    import hanja

    head = KOREAN_SURNAME_READING.get(text[0], "") if text else ""
    rest = text[1:] if head else text
    return head + hanja.translate(rest, "substitution")


def readings(text: str) -> list[str]:
    """Latin renderings of `text`: itself when Latin, else one per plausible reading."""
    scripts = {_script_of(c) for c in text if not c.isascii() and c.isalpha()}
    if not scripts or scripts == {"other"}:
        return [anyascii(text)]
    variants = [_split_camel(anyascii(text))]  # Chinese reading for Han, RR for Hangul, romaji for kana
    if _HAN in scripts:
        variants.append(_split_camel(anyascii(_korean_reading(text))))
    if _HAN in scripts or _KANA in scripts:
        # Hepburn, with contracted sounds (sho, kyu) as Japanese names are written in Latin.
        japanese = " ".join(item["hepburn"] for item in _kakasi().convert(text) if item["hepburn"].strip())
        if japanese:
            variants.append(anyascii(japanese))
    return list(dict.fromkeys(v for v in variants if v.strip()))


def fold(text: str) -> str:
    """Lower-case ASCII, diacritics and apostrophes gone, '&' read as 'and', legal phrases folded."""
    text = unicodedata.normalize("NFKC", text)
    for mark in APOSTROPHES:
        text = text.replace(mark, "")
    text = anyascii(text).lower().replace("&", " and ").replace("%", "percent")
    for pattern, replacement in LEGAL_PHRASES[-2:]:  # before the dots of "U.S." are dropped
        text = pattern.sub(replacement, text)
    text = DOTTED_ABBREVIATION.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    for pattern, replacement in LEGAL_PHRASES:
        text = pattern.sub(replacement, text)
    return text


_FUZZY_PHRASES_BY_LETTER: dict[str, list] = {}
for _phrase in FUZZY_LEGAL_PHRASES:
    _FUZZY_PHRASES_BY_LETTER.setdefault(_phrase[0][0][0], []).append(_phrase)  # a typo at the first letter is not sought


def _like_word(raw: str, word: str, last: bool, shortest: int) -> bool:
    if raw == word:
        return True
    if last and len(raw) >= shortest - 1 and word.startswith(raw):
        return True  # cut short at the end of the name
    return len(raw) >= shortest and len(word) >= shortest and abs(len(raw) - len(word)) <= 1 \
        and OSA.distance(raw, word, score_cutoff=1) <= 1


def _fold_fuzzy_legal_phrases(words: list[str]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(words):
        for phrase, folded in _FUZZY_PHRASES_BY_LETTER.get(words[i][0], ()):
            end = i + len(phrase)
            # In a phrase the other words make the context; a word alone needs to be longer.
            shortest = 5 if len(phrase) > 1 else 7
            if end <= len(words) and all(_like_word(w, p, i + k == len(words) - 1, shortest)
                                         for k, (w, p) in enumerate(zip(words[i:end], phrase))):
                out.append(folded)
                i = end
                break
        else:
            out.append(words[i])
            i += 1
    return out


# A digit between two letters stands for a letter ("Ig0r Sech1n"); digits ending a word are numbers.
_LEET = str.maketrans("013457890", "oieastbgo")
_LEET_DIGIT = re.compile(r"(?<=[a-z])[013457-9]+(?=[a-z])")


def tokenize(latin: str, *, syllables: bool = False, vessel: bool = False) -> NameForm:
    """`syllables`: `latin` reads a Han, Hangul or kana name, one word per syllable; "Ao", "De" or
    "La" are then syllables of the name, never legal forms, particles or titles. `vessel`: a ship's
    name, read by _vessel_words."""
    if syllables:
        return tuple(_split_digits(w)[0] if w.isdigit() else Token(w) for w in SEPARATORS.split(fold(latin)) if w)
    tokens = []
    words = [w for w in SEPARATORS.split(fold(latin)) if w]
    words = [_LEET_DIGIT.sub(lambda m: m.group(0).translate(_LEET), w) if not w.isdigit() else w for w in words]
    words = _fold_fuzzy_legal_phrases(words)
    if vessel:
        words = _vessel_words(words)
    for raw in words:
        raw = WORD_ABBREVIATIONS.get(raw, raw)
        if not tokens and raw in HONORIFICS and not vessel:  # titles lead a name: "Dr", "Mullah"
            continue
        if raw.isdigit():
            tokens.append(Token(raw.lstrip("0") or "0", NUMBER))
        elif raw in PARTICLES and tokens:  # a leading "Ben" or "Abu" is a name of its own
            tokens.append(Token(PARTICLES[raw], PARTICLE))
        elif raw in LEGAL_FORMS:
            tokens.append(Token(LEGAL_FORMS[raw], LEGAL_FORM))
        elif len(raw) > 2 and raw[:2] in ("al", "el") and raw[2:3] == "-":
            tokens.append(Token(raw[3:]))
        else:
            tokens.extend(_split_digits(raw))
    # Number words only count as numbers beside other name parts ("Three Percenters"), never
    # alone, where they are names ("Second" as a surname stays a word when it is all there is).
    return tuple(_numbers_from_words(tokens)) if len(tokens) > 1 else tuple(tokens)


# What ships' names are prefixed with: the kind of ship (motor vessel, motor tanker, steamship), not
# its name. Folded, "M/V" is the two words "m v".
VESSEL_PREFIXES = (("m", "v"), ("m", "t"), ("m", "s"), ("mv",), ("mt",), ("ms",), ("ss",))
ROMAN_HULL_NUMBERS = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8",
                      "ix": "9", "x": "10", "xi": "11", "xii": "12"}


_SLASHED_VESSEL_PREFIX = re.compile(r"^\s*m\s*/\s*[vts]\b\.?\s*", re.IGNORECASE)


def _vessel_words(words: list[str]) -> list[str]:
    """A ship's name keeps every word (a leading "Admiral" or "President" is part of it); its type
    prefix goes, and its hull number is a number however written: "NO. 2", "2" and "II" are 2."""
    for prefix in VESSEL_PREFIXES:
        if len(words) > len(prefix) and tuple(words[:len(prefix)]) == prefix:
            words = words[len(prefix):]
            break
    out = []
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        if word == "no" and i and following.isdigit():
            continue  # "NO. 2": the number alone
        if i and i == len(words) - 1 and word in ROMAN_HULL_NUMBERS:
            word = ROMAN_HULL_NUMBERS[word]
        out.append(word)
    return out


_NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fourty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_ORDINAL_SUFFIX = re.compile(r"^([0-9]+)(?:st|nd|rd|th)$")


def _numbers_from_words(tokens: list[Token]) -> list[Token]:
    """"Forty-Four" and "44", "Three" and "3", "1st" and "First" are the same number."""
    out: list[Token] = []
    tens_word = False  # the last token was a tens word ("Forty"): a digit after it adds ("Forty 4")
    for token in tokens:
        text = token.text
        previous_tens, tens_word = tens_word, False
        if token.role == PART and text in _TENS:
            out.append(Token(str(_TENS[text]), NUMBER))
            tens_word = True
        elif previous_tens and token.role == NUMBER and len(text) == 1 and text != "0":
            out[-1] = Token(str(int(out[-1].text) + int(text)), NUMBER)
        elif token.role == PART and text in _NUMBER_WORDS:
            value = _NUMBER_WORDS[text]
            previous = out[-1] if out else None
            if previous and previous.role == NUMBER and previous.text.endswith("0") and value < 10 \
                    and int(previous.text) in _TENS.values():
                out[-1] = Token(str(int(previous.text) + value), NUMBER)
            else:
                out.append(Token(str(value), NUMBER))
        else:
            out.append(token)
    return out


def _split_digits(raw: str) -> list[Token]:
    ordinal = _ORDINAL_SUFFIX.match(raw)
    if ordinal:
        return [Token(ordinal.group(1).lstrip("0") or "0", NUMBER)]
    # "SAM JONG 2" and "SAMJONG2" both give [..., 2]
    parts = re.findall(r"[a-z]+|[0-9]+", raw)
    return [Token(p.lstrip("0") or "0", NUMBER) if p.isdigit() else Token(p) for p in parts]


ALTERNATIVES = re.compile(r"(?<=\w)\s*/\s*(?=\w)")


def _alternatives(name: str) -> list[str]:
    """"Al-Qa'ida/Islamic Army" and "A / B" name alternatives; "IMPORT/EXPORT CORPORATION",
    "LIBERATION PARTY/FRONT" or "Denmark A/S" do not (a slash inside a longer name)."""
    if "/" not in name:
        return []
    if " / " in name or " " not in name.split("/", 1)[0].strip():
        parts = [part.strip() for part in ALTERNATIVES.split(name)]
        return [part for part in parts if len(part) > 2]
    return []


@lru_cache(maxsize=200_000)
def name_forms(name: str, vessel: bool = False) -> tuple[NameForm, ...]:
    """Every tokenised form of a name; empty when nothing of it is left (e.g. only a legal form).
    "A/B" names two alternatives (as lists write "Al-Qa'ida/Islamic Army"): each is a form too.
    `vessel`: the name of a ship (see _vessel_words)."""
    forms = []
    if vessel:
        name = _SLASHED_VESSEL_PREFIX.sub("", name)  # "M/V X" is no pair of alternatives "M" and "V X"
    texts = [name] + _alternatives(name)
    for text in texts:
        syllables = bool(_CJK.search(text))
        for latin in readings(text):
            form = tokenize(latin, syllables=syllables, vessel=vessel)
            if any(t.role in (PART, NUMBER) for t in form):
                forms.append(form)
    return tuple(dict.fromkeys(forms))


# --- phonetic key: spelling variants of one sound, across romanisation systems ----------------

_KEY_RULES = [
    ("hs", "s"), ("tch", "j"), ("dzh", "j"), ("zh", "j"), ("dj", "j"), ("ch", "j"), ("sch", "s"), ("sh", "s"), ("ph", "f"),
    ("ck", "k"), ("kh", "k"), ("gh", "g"), ("dh", "d"), ("th", "t"), ("ts", "s"), ("tz", "s"), ("x", "ks"),
    ("q", "k"), ("c", "k"), ("w", "v"), ("z", "s"),
]
_CONSONANT_CLASS = str.maketrans({"g": "k", "d": "t", "b": "p", "v": "f", "l": "r"})
_VOWEL_RUN = re.compile(r"[aeiouy]+")


# Romanisations of one surname that the rules below cannot reach (Korean, Chinese).
SURNAME_VARIANTS = {"lee": "ri", "yi": "ri", "rhee": "ri", "li": "ri", "i": "ri", "ri": "ri", "rhie": "ri",
                    "park": "pak", "bak": "pak", "pak": "pak", "choi": "choe", "choe": "choe", "chwe": "choe",
                    "roh": "no", "noh": "no", "rho": "no", "no": "no", "ryu": "yu", "yoo": "yu", "yu": "yu",
                    "you": "yu", "jo": "jo", "cho": "jo", "joh": "jo", "woo": "u", "u": "u", "oo": "u",
                    "jung": "jong", "chung": "jong", "jeong": "jong", "cheong": "jong", "chong": "jong"}


@lru_cache(maxsize=200_000)
def phonetic_key(token: str) -> str:
    """Collapse what romanisations disagree on: voiced/unvoiced pairs (Kim/Gim, Pak/Bak),
    digraphs (ch/j, kh/k), vowel qualities (Jong/Jeong, Mohamed/Muhammad) and doubled letters."""
    if token.isdigit():
        return token
    key = SURNAME_VARIANTS.get(token, token)
    if key.startswith("x"):
        key = "s" + key[1:]  # pinyin x is an s-sound (Xi, Shi, Hsi)
    for old, new in _KEY_RULES:
        key = key.replace(old, new)
    key = key.translate(_CONSONANT_CLASS)
    key = _VOWEL_RUN.sub("a", key)
    key = re.sub(r"(.)\1+", r"\1", key)
    if len(key) > 1 and key.endswith("a") and not token.endswith(("a", "ah")):
        key = key[:-1]  # a final vowel is often dropped or added (Hassan/Hasane)
    return key


@lru_cache(maxsize=100_000)
def _single_script(text: str) -> str:
    names = {unicodedata.name(c, "").split(" ")[0] for c in text if c.isalpha() and not c.isascii()}
    has_latin = any(c.isascii() and c.isalpha() for c in text)
    return names.pop() if len(names) == 1 and not has_latin else ""


def same_non_latin_script(a: str, b: str) -> bool:
    """Both names written in one non-Latin script: compare them as written, not as romanised."""
    first = _single_script(a)
    return bool(first) and first == _single_script(b)


def skeleton(text: str) -> str:
    """Consonants only, for abjad scripts (Arabic, Hebrew) whose vowels are not written."""
    letters = re.sub(r"[^a-z]", "", fold(text))
    letters = letters.replace("kh", "k").replace("sh", "s").replace("th", "t").replace("dh", "d").replace("gh", "g")
    letters = re.sub(r"[aeiouyw]", "", letters)
    return re.sub(r"(.)\1+", r"\1", letters)


@lru_cache(maxsize=100_000)
def is_abjad(text: str) -> bool:
    for char in text:
        if char.isalpha() and not char.isascii():
            name = unicodedata.name(char, "")
            return name.startswith(("ARABIC", "HEBREW", "SYRIAC", "THAI"))
    return False
