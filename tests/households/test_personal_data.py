"""The data key: encryption with a fresh nonce, a keyed blind index, a key file made once, mode 600."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from casework import personal_data
from casework.config import Settings


def test_the_key_file_is_made_on_first_use_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "keys" / "data_key"
    key = personal_data.load(path)
    assert path.stat().st_size == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert list(path.parent.iterdir()) == [path]  # no temporary file left beside it
    again = personal_data.load(path)
    assert again.decrypt(key.encrypt("13812345678")) == "13812345678"


def test_a_missing_key_is_not_made_when_asked_not_to(tmp_path):
    with pytest.raises(personal_data.KeyProblem):
        personal_data.load(tmp_path / "data_key", create=False)


def test_a_file_that_is_not_a_key_is_refused(tmp_path):
    path = tmp_path / "data_key"
    path.write_bytes(b"short")
    with pytest.raises(personal_data.KeyProblem):
        personal_data.load(path)


def test_each_encryption_has_its_own_nonce_and_shows_nothing_of_the_text(tmp_path):
    key = personal_data.load(tmp_path / "data_key")
    one, two = key.encrypt("430124195608120035"), key.encrypt("430124195608120035")
    assert one != two
    assert "0035" not in one and "430124" not in one
    assert key.decrypt(one) == key.decrypt(two) == "430124195608120035"


def test_a_token_opens_only_in_its_own_context_and_only_unaltered(tmp_path):
    key = personal_data.load(tmp_path / "data_key")
    token = key.encrypt("13812345678", context="household.phone")
    with pytest.raises(personal_data.Undecryptable):
        key.decrypt(token, context="household.id_number")
    altered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    with pytest.raises(personal_data.Undecryptable):
        key.decrypt(altered, context="household.phone")
    with pytest.raises(personal_data.Undecryptable):
        key.decrypt("not base64 at all!", context="household.phone")


def test_another_key_opens_nothing(tmp_path):
    token = personal_data.load(tmp_path / "a").encrypt("13812345678")
    with pytest.raises(personal_data.Undecryptable):
        personal_data.load(tmp_path / "b").decrypt(token)


def test_the_blind_index_is_stable_keyed_and_separated_by_kind(tmp_path):
    key, other = personal_data.load(tmp_path / "a"), personal_data.load(tmp_path / "b")
    index = key.blind_index("phone", "13812345678")
    assert index == key.blind_index("phone", "13812345678") and len(index) == 64
    assert index != other.blind_index("phone", "13812345678")
    assert index != key.blind_index("id_number", "13812345678")
    assert index != key.blind_index("phone", "13812345679")


def test_the_setting_moves_the_key_file(tmp_path):
    settings = Settings.from_env({"CASEWORK_INSTANCE_DIR": str(tmp_path / "instance"),
                                  "CASEWORK_SECRET_KEY": "x", "CASEWORK_DATA_KEY": str(tmp_path / "vault" / "key")})
    assert settings.data_key_path == tmp_path / "vault" / "key"
    default = Settings.from_env({"CASEWORK_INSTANCE_DIR": str(tmp_path / "instance"), "CASEWORK_SECRET_KEY": "x"})
    assert default.data_key_path == Path(tmp_path / "instance").resolve() / "data_key"
