"""Korean personal names read as Korean names: a surname and given-name syllables, each syllable
the Hangul syllables its romanisation may write, compared syllable by syllable and in order.

A romanised syllable stands for the Hangul syllables any romanisation system in use would write
that way. The tables come from a library, the systems' own rules are applied on top of it:

- Revised Romanisation (South Korea, 2000) and McCune–Reischauer (1939): ``ko_pron`` (a port of
  Wiktionary's ko-pron module), each Hangul syllable romanised alone, as lists write given names
  syllable by syllable. McCune–Reischauer is also read without its breves (ŏ, ŭ) and apostrophes
  (``ch'``), as lists print it (``CH'OE SO'K MIN``, ``Choe Sok Min``): ``fold`` drops both.
- McCune–Reischauer voices ㄱ ㄷ ㅂ ㅈ inside a word (``Chŏng-gil``): k/g, t/d, p/b, ch/j both.
- South Korea's 1984 variant of McCune–Reischauer: ㅅ before ㅣ and ㅟ is ``sh`` (``Shin``).
- The DPRK's system (Rules of the Latin Alphabetical Transcriptions of the Korean Language, 1992,
  revised 2002 and 2012; UNGEGN working paper no. 46): McCune–Reischauer's vowels, ㅈ ``j``, ㅊ
  ``ch``, ㅋ ㅌ ㅍ ``kh th ph``, ㅉ ``jj``, and ㅚ ``oi`` (2012) beside ``oe``.
- Common unofficial spellings (Wikipedia, "Korean name", romanisation; "List of Korean surnames"):
  ㅓ as ``u`` (Sung, Chul), ㅕ as ``yu`` or ``you`` (Hyun, Young), ㅜ as ``oo`` (Soo, Joo), ㅣ as
  ``ee`` (Hee), ㅢ after a consonant as ``i`` or ``ee`` (Hee for 희), and the surname spellings no rule
  gives (WESTERN_SURNAMES: Lee, Rhee, Park, Choi, Oh, Ahn...).
- Surnames only: the initial-sound law of South Korea's orthography (Hangul Matchumbeop 1988,
  articles 10-12), which the DPRK does not apply: 리 is written 이 (Ri, Lee, Yi are one surname),
  류 유, 로 노, 라 나 (Ryu/Yu, Ro/No, Ra/Na).

Two syllables are another romanisation of each other when the Hangul syllables they may write
meet; a plain typo is one letter changed, dropped, added or two swapped in a syllable of three
letters or more, once in a name, never the first letter: "In" and "Un" are two syllables, and so
are Yong, Song and Tong or Sam and Nam (KIM YONG CHOL, KIM SONG CHOL and KIM TONG CHOL are three
UN designees, KPi.024, KPi.030 and KPi.068; KIM CHOL SAM and KIM CHOL NAM two, KPi.035 and KPi.044)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .normalize import HONORIFICS, _korean_reading, fold

_FIRST_SYLLABLE, _LAST_SYLLABLE = 0xAC00, 0xD7A3
_VOWELS_PER_INITIAL = 21 * 28
# Initial consonant and vowel indexes in the Unicode Hangul syllable block.
_G, _D, _B, _S, _J, _N, _R, _NULL = 0, 3, 7, 9, 12, 2, 5, 11
_ASPIRATED = {15: ("k", "kh"), 16: ("t", "th"), 17: ("p", "ph"), 13: ("tch", "jj")}  # ㅋ ㅌ ㅍ ㅉ
_EO, _YEO, _OE, _U, _WI, _EU, _UI, _I = 4, 6, 11, 13, 16, 18, 19, 20
_Y_VOWELS = {2, 3, 6, 7, 12, 17, 20}  # ㅑ ㅒ ㅕ ㅖ ㅛ ㅠ ㅣ: where the initial-sound law drops ㄹ and ㄴ
_VOICED_INITIAL = {"k": "g", "t": "d", "p": "b", "ch": "j"}

# The surnames of nine in ten Koreans and more (Statistics Korea, 2015 census), in Hangul, each
# with its DPRK form where the initial-sound law makes the South write it otherwise.
SURNAMES = frozenset("""
김 이 리 박 최 정 강 조 윤 장 임 림 한 오 서 신 권 황 안 송 류 유 전 홍 고 문 양 량 손 배 백 허 남 심 노 로 하
곽 성 차 주 우 구 민 나 라 진 지 엄 채 원 천 방 공 현 함 변 염 렴 여 려 추 도 소 석 선 설 마 길 연 련 위 표 명 기
반 왕 금 옥 육 륙 인 맹 제 모 탁 국 어 은 편 용 룡 예 경 봉 사 부 태 계 피 두 감 음 빈 동 온 호 범 좌 팽 승 간 상
갈 단 견 당 화 창 옹 순 빙 종 요 묵 란 난 진 하 매 장 뢰 초 형 궉 돈 내 근 개
""".split())
# Spellings of surnames that no rule above gives (Wikipedia, "List of Korean surnames", the
# "other romanisations" column).
WESTERN_SURNAMES = {
    "lee": "이", "rhee": "이", "yi": "이", "li": "이", "rhie": "이", "yie": "이", "park": "박", "pahk": "박",
    "paik": "백", "baik": "백", "choi": "최", "chwe": "최", "choy": "최", "oh": "오", "ahn": "안", "sohn": "손",
    "suh": "서", "noh": "노", "roh": "노", "rho": "노", "koh": "고", "joh": "조", "hur": "허", "huh": "허",
    "rha": "나", "yim": "임", "yoo": "유", "ryoo": "류", "woo": "우", "koo": "구", "joo": "주", "choo": "추",
    "boo": "부", "kook": "국", "yook": "육", "moon": "문", "kwun": "권", "chough": "조", "kong": "공",
    "shim": "심", "sung": "성", "chun": "전", "jun": "전", "lim": "임", "rim": "림", "youn": "윤", "yoon": "윤",
    "byun": "변", "kang": "강", "kahng": "강", "hahn": "한", "bae": "배", "pae": "배", "whang": "황",
}


@dataclass(frozen=True, slots=True)
class Syllable:
    text: str  # as written, folded to lower-case ASCII (in Hangul: its Revised Romanisation)
    hangul: frozenset[str]  # what it may write; empty: no syllable any system writes so (a typo?)
    written_in_hangul: bool = False


@dataclass(frozen=True, slots=True)
class KoreanName:
    words: tuple[tuple[Syllable, ...], ...]  # per word as written, its syllables
    hangul: bool = False  # written in Hangul (or Hanja): the surname is first, always
    from_hanja: bool = False  # read from Han characters, which may be a Chinese or Japanese name

    def readings(self) -> list[tuple[Syllable, tuple[Syllable, ...]]]:
        """(surname, given-name syllables), surname first and, unless in Hangul, surname last."""
        found = []
        if len(self.words[0]) == 1:
            found.append((self.words[0][0], tuple(s for word in self.words[1:] for s in word)))
        if not self.hangul and len(self.words) > 1 and len(self.words[-1]) == 1:
            found.append((self.words[-1][0], tuple(s for word in self.words[:-1] for s in word)))
        return found


@dataclass(frozen=True, slots=True)
class KoreanComparison:
    strong: bool
    score: float
    detail: str


# A romanisation where another writes the same syllable; a plain typo. What they take off a strong match.
ROMANISATION_COST = 0.03
TYPO_COST = 0.12
TYPOS_ALLOWED = 1


# The final consonants names are written with (none, ㄱ ㄴ ㄹ ㅁ ㅂ ㅅ ㅇ): a syllable ending in
# another is in no name of the lists, and a table of all 11,172 takes three times as long to build.
NAME_FINALS = (0, 1, 4, 8, 16, 17, 19, 21)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, frozenset[str]], dict[str, frozenset[str]], dict[str, str]]:
    """(romanised syllable -> the Hangul syllables it may write, Hangul syllable -> its
    romanisations, Hangul syllable -> its Revised Romanisation)."""
    from ko_pron import romanise

    by_spelling: dict[str, set[str]] = {}
    spellings: dict[str, frozenset[str]] = {}
    revised: dict[str, str] = {}
    for first in range(_FIRST_SYLLABLE, _LAST_SYLLABLE + 1, 28):
        for final in NAME_FINALS:
            syllable = chr(first + final)
            revised[syllable] = romanise(syllable, "rr")
            found = _romanisations(ord(syllable), revised[syllable], fold(romanise(syllable, "mr")))
            spellings[syllable] = frozenset(found)
            for spelling in found:
                by_spelling.setdefault(spelling, set()).add(syllable)
    for spelling, syllable in WESTERN_SURNAMES.items():
        by_spelling.setdefault(spelling, set()).add(syllable)
    return {k: frozenset(v) for k, v in by_spelling.items()}, spellings, revised


def _romanisations(code: int, revised: str, mccune: str) -> set[str]:
    initial, rest = divmod(code - _FIRST_SYLLABLE, _VOWELS_PER_INITIAL)
    vowel, final = divmod(rest, 28)
    found = {revised, mccune, _dprk(mccune, initial, vowel)}
    for spelling in list(found):
        for unvoiced, voiced in _VOICED_INITIAL.items():
            if initial in (_G, _D, _B, _J) and spelling.startswith(unvoiced) and not spelling.startswith("chh"):
                found.add(voiced + spelling[len(unvoiced):])
    if initial == _S and vowel in (_I, _WI):
        found |= {s.replace("s", "sh", 1) for s in found if s.startswith("s")}
    found |= {w for s in list(found) for w in _western(s, vowel, final)}
    return {s for s in found if s}


def _dprk(mccune: str, initial: int, vowel: int) -> str:
    # McCune-Reischauer's apostrophes are gone (fold), so its "ch" is ㅈ or ㅊ; the DPRK's "j" for ㅈ
    # comes with the voiced forms (_romanisations). Its aspirates are written with an h.
    spelling = mccune
    if initial in _ASPIRATED and spelling.startswith(_ASPIRATED[initial][0]):
        plain, written = _ASPIRATED[initial]
        spelling = written + spelling[len(plain):]
    if vowel == _OE:
        spelling = spelling.replace("oe", "oi")
    return spelling


def _western(spelling: str, vowel: int, final: int) -> set[str]:
    found = set()
    if vowel == _EO:
        found.add(re.sub("eo|o", "u", spelling, count=1))
    elif vowel == _YEO:
        found |= {re.sub("yeo|yo", "yu", spelling, count=1), re.sub("yeo|yo", "you", spelling, count=1)}
    elif vowel == _U and spelling.endswith("u") and not spelling.endswith("yu"):
        found.add(spelling[:-1] + "oo")
    elif vowel == _I and not final and spelling.endswith("i"):
        found.add(spelling[:-1] + "ee")
    elif vowel == _UI and not spelling.startswith(("ui", "ŭi")):
        found |= {re.sub("ui$", "i", spelling), re.sub("ui$", "ee", spelling)}
    return found


def hangul_of(spelling: str) -> frozenset[str]:
    return _tables()[0].get(spelling, frozenset())


def spellings_of(hangul: str) -> frozenset[str]:
    return _tables()[1].get(hangul, frozenset())


def _revised(hangul: str) -> str:
    found = _tables()[2].get(hangul)
    if found is None:
        from ko_pron import romanise

        found = romanise(hangul, "rr")
    return found


def _initial_sound_law(syllable: str) -> str:
    """As South Korea writes a surname the DPRK writes with ㄹ or ㄴ: 리 as 이, 류 as 유, 로 as 노."""
    code = ord(syllable) - _FIRST_SYLLABLE
    if not 0 <= code < 11172:
        return syllable
    initial, rest = divmod(code, _VOWELS_PER_INITIAL)
    vowel = rest // 28
    if initial == _R:
        initial = _NULL if vowel in _Y_VOWELS else _N
    elif initial == _N and vowel in _Y_VOWELS:
        initial = _NULL
    return chr(_FIRST_SYLLABLE + initial * _VOWELS_PER_INITIAL + rest)


@lru_cache(maxsize=50_000)
def surnames_of(syllable: Syllable) -> frozenset[str]:
    """The surnames (as South Korea writes them) `syllable` may write."""
    found = {_initial_sound_law(h) for h in syllable.hangul if h in SURNAMES}
    western = WESTERN_SURNAMES.get(syllable.text)
    if western:
        found.add(_initial_sound_law(western))
    return frozenset(found)


@lru_cache(maxsize=100_000)
def _segment(word: str) -> tuple[Syllable, ...] | None:
    """One syllable, or a given name written together ("Jongun", "Cholsu"): two of two letters or
    more ("Uun" is a misspelt "Un", not "U Un"), the first as long as a syllable may be (syllables
    end in ng, not start with it)."""
    hangul = hangul_of(word)
    if hangul:
        return (Syllable(word, hangul),)
    for cut in range(len(word) - 2, 1, -1):
        first, second = hangul_of(word[:cut]), hangul_of(word[cut:])
        if first and second:
            return Syllable(word[:cut], first), Syllable(word[cut:], second)
    return None


_WORDS = re.compile(r"[a-z]+")
_VOWEL = re.compile(r"[aeiouy]")
_HANGUL_SYLLABLE = re.compile("[\uac00-\ud7a3]")
_HAN_NAME = re.compile("[\u4e00-\u9fff\uf900-\ufaff]{2,4}")
_LATIN_OR_HANGUL = re.compile(r"^[\sA-Za-z\-'’`.,\uac00-\ud7a3\u0300-\u036f\u00c0-\u024f]+$")
MOST_SYLLABLES = 4


@lru_cache(maxsize=200_000)
def read_korean_name(name: str) -> tuple[KoreanName, ...]:
    """`name` read as a Korean name, every way it may be one: two to four syllables in Hangul, or
    in Latin letters where at most one word is no syllable any system writes but one edit from one
    (a misspelt syllable; "Hwaan" may be "Hwa An" or a misspelt "Hwan"). Empty when it cannot be one."""
    from_hanja = bool(_HAN_NAME.fullmatch(name.strip()))
    if from_hanja:
        name = _korean_reading(name.strip())
    if not _LATIN_OR_HANGUL.match(name):
        return ()  # digits, other scripts
    if _HANGUL_SYLLABLE.search(name):
        words = name.split()
        if not all(_HANGUL_SYLLABLE.fullmatch(c) for word in words for c in word):
            return ()
        if len(words) == 1:
            words = [words[0][0], words[0][1:]]
        syllables = [tuple(Syllable(_revised(c), frozenset(c), written_in_hangul=True) for c in word) for word in words]
        total = sum(map(len, syllables))
        if not 2 <= total <= MOST_SYLLABLES or not syllables[1]:
            return ()
        return (KoreanName(tuple(syllables), hangul=True, from_hanja=from_hanja),)
    words = _WORDS.findall(fold(name))
    while words and words[0] in HONORIFICS:
        words = words[1:]
    if len(words) < 2:
        return ()
    readings: list[list[tuple[Syllable, ...]]] = [[]]
    for word in words:
        ways = []
        segmented = _segment(word)
        if segmented is not None:
            ways.append(segmented)
        if len(segmented or ()) != 1 and _misspelt_syllable(word):
            ways.append((Syllable(word, frozenset()),))
        if not ways:
            return ()
        readings = [read + [way] for read in readings for way in ways]
    names = []
    for read in readings:
        unknown = sum(1 for word in read for syllable in word if not syllable.hangul)
        if unknown <= 1 and 2 <= sum(map(len, read)) <= MOST_SYLLABLES:
            names.append(KoreanName(tuple(read)))
    return tuple(names)


# Letters no romanisation of Korean writes in a syllable: a word with them is no Korean syllable,
# misspelt or not ("Xi", "Zhang", "Frank", Wade-Giles "Hsi").
_NOT_KOREAN_LETTERS = re.compile("[fqvxz]|hs")


@lru_cache(maxsize=100_000)
def _misspelt_syllable(word: str) -> bool:
    """A word no system writes may be a misspelt syllable: one edit from one that is."""
    if not 2 <= len(word) <= 7 or not _VOWEL.search(word) or _NOT_KOREAN_LETTERS.search(word):
        return False
    return any(process.extractOne(form, _spellings_list(), scorer=OSA.distance, score_cutoff=1) is not None
               for form in {word, _DOUBLED.sub(r"\1", word)})


@lru_cache(maxsize=1)
def _spellings_list() -> list[str]:
    return sorted(_tables()[0])


_DOUBLED = re.compile(r"(.)\1+")


def _typo(a: str, b: str) -> bool:
    """One letter changed, dropped, added, or two swapped, past the first, in a syllable of three
    letters or more (see the module's docstring); a doubled letter counts once ("Joonng" for "Jong")."""
    if max(len(a), len(b)) < 3 or a[0] != b[0]:
        return False
    if OSA.distance(a, b, score_cutoff=1) <= 1:
        return True
    a, b = _DOUBLED.sub(r"\1", a), _DOUBLED.sub(r"\1", b)
    return max(len(a), len(b)) >= 3 and OSA.distance(a, b, score_cutoff=1) <= 1


def _syllable_outcome(query: Syllable, listed: Syllable) -> str:
    """"same", "romanisation", "typo" or "different". Two Hangul syllables are what they are."""
    if query.text == listed.text:
        return "same"
    if query.hangul & listed.hangul:
        return "romanisation"
    if not (query.written_in_hangul and listed.written_in_hangul) and _typo(query.text, listed.text):
        return "typo"
    return "different"


def _surname_outcome(query: Syllable, listed: Syllable) -> str:
    if query.text == listed.text:
        return "same"
    if surnames_of(query) & surnames_of(listed):
        return "romanisation"
    outcome = _syllable_outcome(query, listed)
    return outcome if outcome == "typo" else "different"


def _compare_readings(q_surname: Syllable, q_given: tuple[Syllable, ...], c_surname: Syllable,
                      c_given: tuple[Syllable, ...]) -> KoreanComparison:
    surname = _surname_outcome(q_surname, c_surname)
    if surname == "different":
        return KoreanComparison(False, 0.0, f"Korean name: another surname ({q_surname.text} vs {c_surname.text})")
    if len(q_given) != len(c_given):
        return KoreanComparison(False, 0.0, f"Korean name: given name of {len(q_given)} syllables vs {len(c_given)}")
    outcomes = [_syllable_outcome(q, c) for q, c in zip(q_given, c_given)]
    if "different" in outcomes:
        reordered = len(q_given) > 1 and sorted(s.text for s in q_given) == sorted(s.text for s in c_given)
        if reordered:
            return KoreanComparison(False, 0.0, "Korean name: the given-name syllables in another order")
        q, c = next((q, c) for q, c, o in zip(q_given, c_given, outcomes) if o == "different")
        return KoreanComparison(False, 0.0, f"Korean name: given-name syllable {q.text} is not {c.text}")
    outcomes.insert(0, surname)
    typos = outcomes.count("typo")
    if typos > TYPOS_ALLOWED:
        return KoreanComparison(False, 0.0, f"Korean name: {typos} misspelt syllables")
    romanised = outcomes.count("romanisation")
    score = 1.0 - ROMANISATION_COST * romanised - TYPO_COST * typos
    pairs = [f"{q.text}~{c.text} ({o})" for q, c, o in zip((q_surname, *q_given), (c_surname, *c_given), outcomes)
             if o != "same"]
    return KoreanComparison(True, round(score, 4), "Korean name: " + ("; ".join(pairs) or "every syllable the same"))


def compare_korean_names(query: str, candidate: str) -> KoreanComparison | None:
    """Both names read as Korean names, one of them with a known surname at one end: the best
    reading of each (surname first or last) compared; None when they are not Korean names. Han
    characters are read in Korean (Hanja)."""
    q_names, c_names = read_korean_name(query), read_korean_name(candidate)
    best: KoreanComparison | None = None
    q_readings = [reading for name in q_names for reading in name.readings()]
    c_readings = [reading for name in c_names for reading in name.readings()]
    for q_surname, q_given in q_readings:
        for c_surname, c_given in c_readings:
            if not (surnames_of(q_surname) or surnames_of(c_surname)):
                continue
            result = _compare_readings(q_surname, q_given, c_surname, c_given)
            if best is None or (result.strong, result.score) > (best.strong, best.score):
                best = result
    if best is not None and not best.strong and any(n.from_hanja for n in (*q_names, *c_names)):
        return None  # Han characters read as Korean may be a Chinese name: their Korean reading only adds
    return best
