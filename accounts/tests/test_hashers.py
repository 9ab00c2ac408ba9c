from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, identify_hasher
from django.test import override_settings

from accounts.hashers import FitbudArgon2PasswordHasher
from fitbud.settings.base import PASSWORD_HASHERS


def test_production_hashes_new_passwords_with_the_lighter_argon2id_parameters():
    assert PASSWORD_HASHERS[0] == "accounts.hashers.FitbudArgon2PasswordHasher"
    with override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS):
        encoded = FitbudArgon2PasswordHasher().encode("a-long-passphrase-42", "c2FsdHNhbHRzYWx0")
        params = identify_hasher(encoded).decode(encoded)
    assert (params["memory_cost"], params["time_cost"], params["parallelism"]) == (19456, 2, 1)


def test_a_hash_made_with_djangos_default_parameters_still_verifies_and_is_upgraded():
    old = Argon2PasswordHasher().encode("a-long-passphrase-42", "c2FsdHNhbHRzYWx0")
    upgraded = []
    with override_settings(PASSWORD_HASHERS=PASSWORD_HASHERS):
        assert check_password("a-long-passphrase-42", old, setter=upgraded.append)
    assert upgraded == ["a-long-passphrase-42"]
