"""A deliberately cheap Argon2 for the test environment only, so hundreds of test users do not
each cost a production-strength hash. Production uses Django's Argon2PasswordHasher defaults."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024
    parallelism = 1
