"""Name normalisation (pure, no database): Unicode forms, case and diacritics, offline
transliteration to Latin, punctuation, honorifics, particles, legal forms, numbers, and the
phonetic key that lets romanisations of one name agree."""
import socket

import pytest

from sanctions.matching.normalize import (
    LEGAL_FORM,
    NUMBER,
    PART,
    PARTICLE,
    fold,
    is_abjad,
    name_forms,
    phonetic_key,
    readings,
    same_non_latin_script,
    skeleton,
    tokenize,
)


def texts(name: str) -> list[tuple[str, ...]]:
    """Every form of `name` as a tuple of token texts."""
    return [tuple(t.text for t in form) for form in name_forms(name)]


def roles(name: str) -> list[tuple[str, str]]:
    """The (text, role) pairs of the first form of `name`."""
    return [(t.text, t.role) for t in name_forms(name)[0]]


@pytest.fixture
def no_network(monkeypatch):
    """Transliteration is offline: any attempt to open a connection fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("normalisation tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# --- Unicode normalisation, case and diacritics -------------------------------------------------

@pytest.mark.parametrize("raw, folded", [
    ("KIM Jong-Un", "kim jong-un"),                     # case
    ("José MÜLLER", "jose muller"),                     # precomposed diacritics
    ("Jose\u0301 Mu\u0308ller", "jose muller"),         # combining marks (NFD input)
    ("ｋｉｍ　ｊｏｎｇ　ｕｎ", "kim jong un"),               # full-width letters and ideographic space (NFKC)
    ("ﬁrst", "first"),                                  # ligature (NFKC)
    ("Đorđević", "dordevic"),
    ("Straße", "strasse"),
    ("Ørsted Łukasz", "orsted lukasz"),
    ("İstanbul", "istanbul"),
    ("O'Brien", "obrien"),                              # apostrophes vanish, words stay whole
    ("Chongch’al Ch‘ongguk", "chongchal chongguk"),     # curly and reversed apostrophes
    ("Smith & Sons", "smith  and  sons"),               # '&' read as 'and'
])
def test_fold_lowercases_to_ascii_without_diacritics(raw, folded):
    assert fold(raw) == folded


@pytest.mark.parametrize("a, b", [
    ("José Müller", "JOSE MULLER"),
    ("Jose\u0301", "José"),
    ("ｋｉｍ　ｊｏｎｇ　ｕｎ", "Kim Jong Un"),
    ("Muḥammad ʿAlī", "Muhammad Ali"),
])
def test_differently_encoded_spellings_give_the_same_forms(a, b):
    assert name_forms(a) == name_forms(b)


# --- Transliteration to Latin, offline -----------------------------------------------------------

@pytest.mark.parametrize("script, name, expected", [
    ("Cyrillic", "Владимир Путин", ("vladimir", "putin")),
    ("Cyrillic", "Хан Чан Су", ("khan", "chan", "su")),
    ("Greek", "ΑΛΕΞΗΣ ΤΣΙΠΡΑΣ", ("alexis", "tsipras")),
    ("Hangul", "김정은", ("gim", "jeong", "eun")),
    ("Hangul", "윤호진", ("yun", "ho", "jin")),
    ("Han (Chinese reading)", "金正恩", ("jin", "zheng", "en")),
    ("Han (Korean reading)", "金正恩", ("gim", "jeong", "eun")),
    ("Han (Japanese reading)", "山田太郎", ("yamada", "tarou")),
    ("Katakana", "ヤマダ タロウ", ("yamada", "tarou")),
    ("Hiragana", "やまだ たろう", ("yamada", "tarou")),
    ("Thai", "ทักษิณ ชินวัตร", ("thaksin", "chinwatr")),
])
def test_non_latin_scripts_transliterate_to_latin(no_network, script, name, expected):
    forms = texts(name)
    assert expected in forms, f"{script}: {name} gave {forms}"


@pytest.mark.parametrize("script, name, skeleton_of_reading", [
    ("Arabic", "محمد علي", "mhmdl"),
    ("Arabic", "أسامة بن لادن", "smhbnldn"),
    ("Hebrew", "משה לוי", "mslv"),
    ("Hebrew", "דוד כהן", "dvdkhn"),
])
def test_abjad_scripts_transliterate_to_consonants(no_network, script, name, skeleton_of_reading):
    # Arabic and Hebrew write no short vowels: what comes out is their consonants, in Latin.
    for reading in readings(name):
        assert reading.isascii() and reading.strip()
    assert is_abjad(name)
    assert skeleton(name) == skeleton_of_reading


@pytest.mark.parametrize("name", [
    "Владимир Путин", "ΑΛΕΞΗΣ ΤΣΙΠΡΑΣ", "김정은", "金正恩", "キム・ジョンウン", "やまだ", "محمد علي", "משה לוי",
    "ทักษิณ ชินวัตร", "朝鲜连峰总公司",
])
def test_every_reading_is_plain_ascii(no_network, name):
    assert readings(name)
    for reading in readings(name):
        assert reading.isascii(), reading
    for form in name_forms(name):
        assert form and all(t.text.isascii() and t.text for t in form)


def test_han_characters_have_one_reading_per_language():
    # Han characters are read differently in Chinese, Korean and Japanese: each is kept.
    chinese, korean, japanese = readings("金正恩")
    assert chinese.split()[0] == "Jin"
    assert korean.split()[0] == "Gim"  # the Korean surname reading of 金, not its ordinary one (Geum)
    assert japanese.isascii() and japanese != chinese


@pytest.mark.parametrize("name, expected", [
    ("이설주", ("i", "seol", "ju")),
    ("우병우", ("u", "byeong", "u")),
    ("李明博", ("i", "myeong", "bag")),  # Korean reading of the Han spelling
])
def test_every_hangul_syllable_is_a_word_of_its_own(name, expected):
    assert expected in texts(name)


@pytest.mark.parametrize("name, expected", [
    ("ショウヘイ", ("shouhei",)),
    ("しょうへい", ("shouhei",)),
    ("ジョン", ("jon",)),
])
def test_kana_contracted_sounds_are_one_syllable(name, expected):
    assert expected in texts(name)


def test_latin_names_have_a_single_reading():
    assert readings("Kim Jong Un") == ["Kim Jong Un"]
    assert len(name_forms("KIM JONG UN")) == 1


# --- Punctuation, honorifics, particles -----------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("Kim Jong-un", ("kim", "jong", "un")),
    ("KIM, Jong Un", ("kim", "jong", "un")),
    ("Kim  Jong   Un.", ("kim", "jong", "un")),
    ("Jean-Luc (JL) Picard", ("jean", "luc", "jl", "picard")),
    ("YO'N CHO'NG NAM", ("yon", "chong", "nam")),
    ("Dr. John Smith", ("john", "smith")),
    ("Dr Prof John Smith", ("john", "smith")),               # several leading titles
    ("Mullah Nazar Gul", ("nazar", "gul")),
    ("Sheikh Mohammed", ("mohammed",)),
    ("Gen. Kim Yong Chol", ("kim", "yong", "chol")),
    ("Mr. Smith", ("smith",)),
])
def test_punctuation_and_leading_honorifics_are_dropped(name, expected):
    assert texts(name) == [expected]


def test_a_title_word_inside_a_name_is_kept():
    # Only titles that lead a name are dropped: "Gul Mullah" keeps both words.
    assert texts("Gul Mullah") == [("gul", "mullah")]


@pytest.mark.parametrize("name, expected", [
    ("Khalid Saeed al-Mawri", [("khalid", PART), ("saeed", PART), ("al", PARTICLE), ("mawri", PART)]),
    ("Khalid El-Mawri", [("khalid", PART), ("al", PARTICLE), ("mawri", PART)]),
    ("Khalid Al Mawri", [("khalid", PART), ("al", PARTICLE), ("mawri", PART)]),
    ("Ahmed bin Salman", [("ahmed", PART), ("bin", PARTICLE), ("salman", PART)]),
    ("Ahmed ibn Salman", [("ahmed", PART), ("bin", PARTICLE), ("salman", PART)]),
    ("Ali Ben Salah", [("ali", PART), ("bin", PARTICLE), ("salah", PART)]),
    ("Fatima bint Ahmed", [("fatima", PART), ("bint", PARTICLE), ("ahmed", PART)]),
    # A leading particle-like word is a name of its own, and Abu is kept as a name part (Abu Bakr is not Bakr).
    ("Ben Ali", [("ben", PART), ("ali", PART)]),
    ("Abu Bakr al-Baghdadi", [("abu", PART), ("bakr", PART), ("al", PARTICLE), ("baghdadi", PART)]),
    ("Ludwig van Beethoven", [("ludwig", PART), ("van", PARTICLE), ("beethoven", PART)]),
])
def test_particles_are_folded_to_one_spelling_and_marked(name, expected):
    assert roles(name) == expected


# --- Organisation legal forms ---------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("Ocean Maritime Management Co., Ltd.",
     [("ocean", PART), ("maritime", PART), ("management", PART), ("co", LEGAL_FORM), ("ltd", LEGAL_FORM)]),
    ("OCEAN MARITIME MANAGEMENT COMPANY, LIMITED",
     [("ocean", PART), ("maritime", PART), ("management", PART), ("co", LEGAL_FORM), ("ltd", LEGAL_FORM)]),
    ("Acme L.L.C.", [("acme", PART), ("llc", LEGAL_FORM)]),
    ("Acme Limited Liability Company", [("acme", PART), ("llc", LEGAL_FORM)]),
    ("Acme Public Limited Company", [("acme", PART), ("plc", LEGAL_FORM)]),
    ("Acme Joint Stock Company", [("acme", PART), ("jsc", LEGAL_FORM)]),
    ("PJSC Acme", [("jsc", LEGAL_FORM), ("acme", PART)]),
    ("Acme S.A.", [("acme", PART), ("sa", LEGAL_FORM)]),
    ("Acme GmbH", [("acme", PART), ("gmbh", LEGAL_FORM)]),
    ("Yuk Tung Energy Pte Ltd", [("yuk", PART), ("tung", PART), ("energy", PART), ("pte", LEGAL_FORM),
                                 ("ltd", LEGAL_FORM)]),
    ("Acme Holdings", [("acme", PART), ("holding", LEGAL_FORM)]),
])
def test_legal_forms_fold_to_one_spelling(name, expected):
    assert roles(name) == expected


def test_legal_form_spellings_give_identical_forms():
    assert name_forms("Ocean Maritime Management Co., Ltd.") == name_forms("OCEAN MARITIME MANAGEMENT COMPANY, LIMITED")
    assert name_forms("Acme Corp.") == name_forms("ACME CORPORATION")
    assert name_forms("Acme Inc") == name_forms("Acme, Incorporated")


def test_a_name_that_is_only_a_legal_form_has_no_form():
    assert name_forms("Co., Ltd.") == ()
    assert name_forms("L.L.C.") == ()
    assert name_forms("   ") == ()


# --- Numbers --------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("NAM SAN 8", [("nam", PART), ("san", PART), ("8", NUMBER)]),
    ("NAM SAN 08", [("nam", PART), ("san", PART), ("8", NUMBER)]),      # leading zeros
    ("SAMJONG2", [("samjong", PART), ("2", NUMBER)]),                   # number written onto the name
    ("KPA Unit 586", [("kpa", PART), ("unit", PART), ("586", NUMBER)]),
    ("Vessel 0", [("vessel", PART), ("0", NUMBER)]),
])
def test_numbers_become_number_tokens(name, expected):
    assert roles(name) == expected


# --- Alternatives ---------------------------------------------------------------------------------

def test_slash_separated_alternatives_are_forms_of_their_own():
    forms = texts("Al-Qa'ida/Islamic Army")
    assert ("al", "qaida") in forms
    assert ("islamic", "army") in forms


# --- Phonetic key ---------------------------------------------------------------------------------

@pytest.mark.parametrize("spellings", [
    ("kim", "gim"),
    ("pak", "bak", "park"),
    ("jong", "jeong", "chong", "chung", "jung"),
    ("ri", "lee", "yi", "rhee", "li"),
    ("choe", "choi"),
    ("mohamed", "muhammad", "mohammed"),
    ("hussein", "husayn"),
    ("xi", "shi"),
    ("chol", "cheol"),
])
def test_romanisations_of_one_name_share_a_phonetic_key(spellings):
    assert len({phonetic_key(s) for s in spellings}) == 1, {s: phonetic_key(s) for s in spellings}


@pytest.mark.parametrize("a, b", [("kim", "pak"), ("song", "yong"), ("kim", "lim"), ("ali", "salah"), ("8", "6")])
def test_different_names_have_different_phonetic_keys(a, b):
    assert phonetic_key(a) != phonetic_key(b)


# --- Script helpers -------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b, same", [
    ("김정은", "김정일", True),
    ("金正恩", "金正日", True),
    ("Владимир", "Путин", True),
    ("김정은", "金正恩", False),      # Hangul vs Han
    ("Kim", "Jong", False),          # Latin is not a non-Latin script
    ("김 Kim", "김정일", False),      # mixed
])
def test_same_non_latin_script(a, b, same):
    assert same_non_latin_script(a, b) is same


@pytest.mark.parametrize("name, abjad", [
    ("محمد", True), ("משה", True), ("ทักษิณ", True), ("Mohamed", False), ("Путин", False), ("김정은", False),
])
def test_is_abjad(name, abjad):
    assert is_abjad(name) is abjad


def test_tokenize_keeps_what_name_forms_keeps():
    # tokenize is the Latin half of name_forms: both agree on a Latin name.
    assert name_forms("Dr. Abu Bakr al-Baghdadi") == (tokenize("Dr. Abu Bakr al-Baghdadi"),)


# --- Rules of msmt-name-id 1.1 ----------------------------------------------------------------------

@pytest.mark.parametrize("name, expected", [
    ("Ig0r Sech1n", ("igor", "sechin")),           # a digit between letters stands for a letter
    ("I9or Sech1n", ("igor", "sechin")),
    ("SAMJONG2", ("samjong", "2")),                # a digit ending a word stays a number
    ("Trust 2007-AHL1", ("trust", "2007", "ahl", "1")),
])
def test_digits_inside_a_word_are_read_as_letters(name, expected):
    assert texts(name)[0] == expected


@pytest.mark.parametrize("name, expected", [
    ("Brigade Forty 4", ("brigade", "44")),        # a tens word and a digit make one number
    ("Brigade 40 4", ("brigade", "40", "4")),      # two numbers written as numbers stay two
    ("3%ers", ("3", "percenters")),                # '%' is read "percent"
    ("Three Percenters", ("3", "percenters")),
])
def test_numbers_written_in_words_digits_and_signs_agree(name, expected):
    assert texts(name)[0] == expected


@pytest.mark.parametrize("name, expected", [
    ("Siemens Aktiengeselschaft", [("siemens", PART), ("ag", LEGAL_FORM)]),       # misspelt
    ("Tactical Missiles Corporation Joint Stock Compan",                            # cut short at the end
     [("tactical", PART), ("missiles", PART), ("corp", LEGAL_FORM), ("jsc", LEGAL_FORM)]),
    ("Tactical Missiles Joynt Stock Company", [("tactical", PART), ("missiles", PART), ("jsc", LEGAL_FORM)]),
    ("Open Joint Stock Company Gazprom", [("jsc", LEGAL_FORM), ("gazprom", PART)]),
    ("ANO Iskusstvo Krasoty", [("ano", LEGAL_FORM), ("iskusstvo", PART), ("krasoty", PART)]),
])
def test_misspelt_or_cut_short_legal_forms_are_still_legal_forms(name, expected):
    assert roles(name) == expected


def test_a_cut_short_word_inside_a_name_is_not_a_legal_form():
    # Only the name's last word can have been cut by a form field; "Compan" inside stays a word.
    assert ("compan", PART) in roles("Compan Trading House")
    assert ("compan", PART) in roles("Compan House")
    assert ("inco", PART) in roles("Vale Inco")     # too short to be a cut-short "Incorporated"


@pytest.mark.parametrize("name, expected", [
    ("U.S. Department of State", ("united", "states", "department", "of", "state")),
    ("First Bank Int'l", ("1", "bank", "international")),
])
def test_abbreviated_words_are_written_out(name, expected):
    assert texts(name)[0] == expected


def test_international_is_a_word_of_the_name_not_a_legal_form():
    assert ("international", PART) in roles("ABC International")


@pytest.mark.parametrize("name", ["President Erdogan", "Präsident Erdogan", "Senator Erdogan"])
def test_a_leading_title_of_office_is_dropped(name):
    assert texts(name) == [("erdogan",)]


# --- vessel names -------------------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["M/V KUM UN SAN NO. 2", "MV Kum Un San 2", "M.V. KUM UN SAN No 2", "KUM UN SAN II",
                                     "M/T Kum Un San 2", "SS KUM UN SAN 2", "Kum Un San Two"])
def test_a_vessel_name_drops_its_type_prefix_and_reads_its_hull_number_however_written(written):
    assert [[(t.text, t.role) for t in form] for form in name_forms(written, vessel=True)] == [
        [("kum", "part"), ("un", "part"), ("san", "part"), ("2", "number")]]


def test_a_vessel_name_keeps_a_leading_title_a_person_name_drops():
    assert [t.text for t in name_forms("Admiral Tokyo", vessel=True)[0]] == ["admiral", "tokyo"]
    assert [t.text for t in name_forms("President Kim", vessel=True)[0]] == ["president", "kim"]
    assert [t.text for t in name_forms("Admiral Tokyo")[0]] == ["tokyo"]


def test_a_lone_prefix_or_numeral_is_the_name_itself():
    # Nothing but "MV" or "SS" is left as it is; a Roman numeral only ends a name of several words.
    assert [t.text for t in name_forms("SS", vessel=True)[0]] == ["ss"]
    assert [t.text for t in name_forms("Ivan IV", vessel=True)[0]] == ["ivan", "4"]
    assert [t.text for t in name_forms("Vi Kim", vessel=True)[0]] == ["vi", "kim"]
