"""Korean personal names compared as Korean names (sanctions/matching/korean.py). Each expected
score is worked out from korean.py's costs: a strong match scores 1 - ROMANISATION_COST per syllable
written in another romanisation - TYPO_COST per misspelt one; a weak one is capped below the
threshold by compare_names (KOREAN_WEAK_CAP)."""
import pytest

from sanctions.matching import DEFAULT_THRESHOLD
from sanctions.matching.korean import (
    ROMANISATION_COST,
    TYPO_COST,
    compare_korean_names,
    hangul_of,
    read_korean_name,
)
from sanctions.matching.names import KOREAN_WEAK_CAP, compare_names


def strong(query: str, listed: str) -> float:
    result = compare_korean_names(query, listed)
    assert result is not None and result.strong, result
    return result.score


def weak(query: str, listed: str) -> str:
    result = compare_korean_names(query, listed)
    assert result is not None and not result.strong, result
    assert compare_names(query, listed, person=True).score <= KOREAN_WEAK_CAP < DEFAULT_THRESHOLD
    return result.detail


# --- one rule of romanisation each: which Hangul syllable a spelling may write ----------------------

@pytest.mark.parametrize("spelling, syllable, system", [
    ("jeong", "정", "Revised Romanisation"),
    ("chong", "정", "McCune-Reischauer, breve dropped (chŏng)"),
    ("jong", "정", "DPRK system: ㅈ is j"),
    ("chol", "철", "McCune-Reischauer, apostrophe and breve dropped (ch'ŏl)"),
    ("cheol", "철", "Revised Romanisation"),
    ("thaek", "택", "DPRK system: ㅌ is th"),
    ("taek", "택", "Revised Romanisation; McCune-Reischauer t'aek without its apostrophe"),
    ("khang", "캉", "DPRK system: ㅋ is kh"),
    ("phyo", "표", "DPRK system: ㅍ is ph"),
    ("choi", "최", "DPRK system since 2012: ㅚ is oi"),
    ("gil", "길", "McCune-Reischauer inside a word (Yŏng-gil) and Revised Romanisation"),
    ("kil", "길", "McCune-Reischauer at the start of a word"),
    ("shin", "신", "South Korea's 1984 McCune-Reischauer: ㅅ before ㅣ is sh"),
    ("sin", "신", "McCune-Reischauer, DPRK system"),
    ("sung", "성", "common spelling: ㅓ as u"),
    ("young", "영", "common spelling: ㅕ as you"),
    ("hyun", "현", "common spelling: ㅕ as yu"),
    ("soo", "수", "common spelling: ㅜ as oo"),
    ("hee", "희", "common spelling: ㅢ after a consonant as ee"),
    ("lee", "이", "common surname spelling (List of Korean surnames)"),
    ("park", "박", "common surname spelling"),
])
def test_each_romanisation_system_is_read(spelling, syllable, system):
    assert syllable in hangul_of(spelling), system


@pytest.mark.parametrize("one, other", [
    ("Pak", "Park"), ("Pak", "Bak"), ("Ri", "Lee"), ("Ri", "Yi"), ("Ri", "Rhee"), ("Kim", "Gim"),
    ("Choe", "Choi"), ("Jong", "Chong"), ("Jong", "Jung"),
    # The initial-sound law: the South writes 리 이, 류 유, 림 임, 로 노 (the DPRK does not).
    ("Ryu", "Yu"), ("Rim", "Im"), ("Ro", "No"),
])
def test_romanisations_of_one_surname_are_one_surname(one, other):
    # Only the surname differs: one syllable in another romanisation.
    assert strong(f"{one} Myong Su", f"{other} Myong Su") == pytest.approx(1 - ROMANISATION_COST)


def test_every_syllable_in_another_system_is_still_the_name():
    # McCune-Reischauer (Kim Chŏng-ŭn, breves dropped) against Revised Romanisation (Gim Jeong-eun):
    # kim~gim, chong~jeong, un~eun, three romanisations.
    assert strong("Kim Chong-un", "Gim Jeong-eun") == pytest.approx(1 - 3 * ROMANISATION_COST)
    # The DPRK system against McCune-Reischauer as the UN list prints it: jang~chang, thaek~taek.
    assert strong("Jang Song Thaek", "CH'ANG SO'NG T'AEK") == pytest.approx(1 - 2 * ROMANISATION_COST)


def test_breves_and_apostrophes_are_the_letters_without_them():
    assert strong("CH'OE SO’K MIN", "Choe Sok Min") == 1.0  # UN KPi.064 and its alias
    assert strong("Kim Chŏng-ŭn", "Kim Chong Un") == 1.0


@pytest.mark.parametrize("written", ["Kim Jong Un", "Kim Jong-Un", "Kim Jongun", "KIM, Jong-un", "Jong Un Kim",
                                     "Jong-Un KIM"])
def test_written_together_hyphenated_spaced_surname_first_or_last(written):
    assert strong(written, "KIM JONG UN") == 1.0


def test_hangul_and_hanja_forms():
    # 김정은 read syllable by syllable: kim~김 (gim), jong~정 (jeong), un~은 (eun): three romanisations.
    assert strong("Kim Jong Un", "김정은") == pytest.approx(1 - 3 * ROMANISATION_COST)
    assert strong("金正恩", "Kim Jong Un") == pytest.approx(1 - 3 * ROMANISATION_COST)  # 金 read 김, 正 정, 恩 은
    # Two Hangul names are what they are: 종 is not a misspelt 정.
    assert "jong is not jeong" in weak("김종은", "김정은")


def test_hangul_puts_the_surname_first():
    [name] = read_korean_name("김정은")
    assert [(surname.text, [s.text for s in given]) for surname, given in name.readings()] == [
        ("gim", ["jeong", "eun"])]


# --- the examples of the issue: what makes a match weak -------------------------------------------

def test_the_given_name_syllables_in_another_order_are_another_person():
    assert "another order" in weak("Pak Chol Su", "Pak Su Chol")


def test_another_surname_is_another_person():
    assert "another surname" in weak("Han Song Il", "Hwang Il Song")


def test_a_given_name_syllable_neither_romanisation_nor_typo_is_another_person():
    assert "myong is not chol" in weak("Ri Myong Su", "Ri Chol Su")
    assert "un is not il" in weak("Kim Jong Un", "Kim Jong Il")
    assert weak("Kim Yong Chol", "Kim Yong Chun")  # chol~chun: two letters changed


def test_a_syllable_missing_is_another_name():
    assert "2 syllables vs 1" in weak("Kim Jong Un", "Kim Jong") or "1 syllables vs 2" in weak("Kim Jong", "Kim Jong Un")


@pytest.mark.parametrize("one, other", [
    # Three UN designees (KPi.024, KPi.030, KPi.068), and two (KPi.035, KPi.044): the first letter of a
    # syllable changed makes another syllable, not a typo.
    ("KIM YONG CHOL", "KIM SONG CHOL"), ("KIM YONG CHOL", "KIM TONG CHOL"), ("KIM CHOL SAM", "KIM CHOL NAM"),
    ("Ri Myong Su", "Ri Byong Su"), ("Choe Ryong Hae", "Choe Yong Hae"),
])
def test_another_first_letter_makes_another_syllable(one, other):
    assert " is not " in weak(one, other)


def test_two_syllables_in_a_name_are_a_syllable_of_its_own_not_a_typo():
    # "In" and "Un" differ in one letter of two: other syllables, not a typo.
    assert "in is not un" in weak("Kim In Chol", "Kim Un Chol")


# --- recall: one plain typo in one syllable still finds the name ------------------------------------

@pytest.mark.parametrize("misspelt, how", [
    ("Kim Jomg Un", "a letter changed"),
    ("Kim Jon Un", "a letter dropped (jon is a syllable of its own, one letter from jong)"),
    ("Kim Jogn Un", "two letters swapped"),
    ("Kin Jong Un", "in the surname"),
    ("Kim Jong-uun", "a letter added ('uun' is no syllable, nor 'u' + 'un')"),
    ("Kim Joonng-un", "letters doubled"),
    ("MUN KYONG HWAAN", "a doubled vowel, where 'hwa an' would also be syllables"),
])
def test_one_typo_in_one_syllable_is_still_a_strong_match(misspelt, how):
    listed = "MUN KYONG HWAN" if misspelt.startswith("MUN") else "Kim Jong Un"
    assert strong(misspelt, listed) == pytest.approx(1 - TYPO_COST), how


def test_two_typos_are_too_many():
    assert "2 misspelt syllables" in weak("Kin Jomg Un", "Kim Jong Un")


def test_a_typo_beside_another_romanisation_costs_both():
    # pak~park a romanisation, cjol~chol a typo
    assert strong("Park Cjol Su", "Pak Chol Su") == pytest.approx(1 - ROMANISATION_COST - TYPO_COST)


# --- what is not read as a Korean name ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["John Smith", "Xi Jinping", "Hsi Chin-ping", "Maria Elena Lopez", "Kim",
                                  "Kim Jong Un 2", "Mohammed Ali"])
def test_names_that_cannot_be_korean_are_left_to_the_general_rules(name):
    assert compare_korean_names(name, "Kim Jong Un") is None


def test_a_chinese_name_in_han_characters_is_not_capped_by_its_korean_reading():
    # 劉洋 read in Korean is 유양 (Yu Yang); in Chinese it is Liu Yang, which the general rules match.
    assert compare_names("劉洋", "Liu Yang", person=True).score >= DEFAULT_THRESHOLD


def test_only_people_are_compared_as_korean_names():
    # A ship's name of Korean syllables has no surname: "Pak Su Chol" as a vessel is left to the general rules.
    assert compare_names("Pak Su Chol", "Pak Chol Su").score == 1.0
    assert compare_names("Pak Su Chol", "Pak Chol Su", person=True).score <= KOREAN_WEAK_CAP
