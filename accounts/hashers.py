from django.contrib.auth.hashers import Argon2PasswordHasher


class FitbudArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2id at OWASP's recommended floor (19 MiB, 2 passes, 1 lane).

    Django's defaults (100 MiB, 8 lanes) cost hundreds of milliseconds of CPU per login on a
    two-core server, which made login the slowest endpoint by far (~5 req/s). These
    parameters still make offline guessing expensive; login is also rate-limited per
    address and per account. Existing hashes are upgraded on the next successful login.
    """

    algorithm = "argon2"  # same stored prefix: old hashes verify and are re-hashed
    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
