"""The in-memory keyring fixtures (memory_keyring, no_keyring) live in tests/conftest.py."""
