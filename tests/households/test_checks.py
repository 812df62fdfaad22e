"""ID numbers by GB 11643, phones, household numbers and masking: what a person typing them sees."""

from __future__ import annotations

import random
from datetime import date

import pytest

from casework.households import checks
from casework.i18n import has

from tests.households.people import id_number

# Numbers whose check characters are right (the first, the standard's own example).
VALID = ["11010519491231002X", "440524198001010013", "110101199003074477", "51343620000320711X", "430124195608120035"]


@pytest.mark.parametrize("number", VALID)
def test_an_id_number_with_the_right_check_character_is_taken(number):
    assert checks.id_number(number) == number


def test_a_lowercase_x_is_taken_and_kept_as_upper_case():
    assert checks.id_number("11010519491231002x") == "11010519491231002X"


def test_full_width_digits_and_spaces_from_a_chinese_input_method_are_normalised():
    assert checks.id_number(" １１０１０５ 19491231 002ｘ ") == "11010519491231002X"


def test_generated_numbers_are_all_valid():
    rng = random.Random(7)
    for _ in range(500):
        number = id_number(rng)
        assert checks.id_number(number) == number


@pytest.mark.parametrize(("number", "code"), [
    ("110105194912310021", "id_number_check_digit"),  # the last character changed
    ("110105194912310029", "id_number_check_digit"),
    ("110105194912130021", "id_number_check_digit"),  # two digits swapped
    ("11010519491231002", "id_number_format"),  # 17 characters
    ("1101051949123100211", "id_number_format"),  # 19
    ("1101051949123100Y1", "id_number_format"),
    ("110105193", "id_number_format"),
    ("11010519490231002X", "id_number_birth_date"),  # 31 February
    ("110105189912310023", "id_number_birth_date"),  # before 1900
    ("4.30124199E+17", "id_number_as_number"),  # what Excel saves once it took the number for a number
])
def test_a_wrong_id_number_is_refused_saying_why(number, code):
    with pytest.raises(checks.Refused) as refused:
        checks.id_number(number)
    assert refused.value.code == code and has(code)


def test_a_birth_date_after_today_is_refused():
    first17 = "11010520300101001"
    with pytest.raises(checks.Refused, match="id_number_birth_date"):
        checks.id_number(first17 + checks.check_character(first17), today=date(2026, 12, 1))


@pytest.mark.parametrize(("typed", "stored"), [
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138 1234 5678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),
    ("19912345678", "19912345678"),
    ("0731-12345678", "0731-12345678"),
    ("0731 8456 7890", "0731-84567890"),
    ("(0731)84567890", "0731-84567890"),
    ("073184567890", "0731-84567890"),
    ("010-62345678", "010-62345678"),
    ("01062345678", "010-62345678"),
    ("0755-2345678", "0755-2345678"),
])
def test_mobiles_and_landlines_with_their_area_code_are_taken(typed, stored):
    assert checks.phone(typed) == stored


@pytest.mark.parametrize("typed", ["12812345678", "1381234567", "138123456789", "23812345678", "84567890",
                                   "0731-0456789", "0731-123456", "+1 415 555 0100", "电话", ""])
def test_other_phones_are_refused(typed):
    with pytest.raises(checks.Refused, match="phone_invalid"):
        checks.phone(typed)


def test_masking_leaves_the_last_four():
    assert checks.mask("11010519491231002X") == "**************002X"
    assert checks.mask("13812345678") == "*******5678"
    assert checks.mask("0731-12345678") == "*********5678"
    assert checks.mask(None) is None


@pytest.mark.parametrize("number", ["QS01-0001", "430124001001", "A.1_2"])
def test_household_numbers(number):
    assert checks.number(number) == number


@pytest.mark.parametrize("number", ["-1", "户001", "A 1", "x" * 41])
def test_bad_household_numbers(number):
    with pytest.raises(checks.Refused, match="household_number_invalid"):
        checks.number(number)
