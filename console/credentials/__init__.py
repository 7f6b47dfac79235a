"""credentials layer (see STYLE.md): secrets in the OS keyring, non-secret profiles in a JSON file.

Nothing in this package writes a secret to disk: client secrets go to the OS keyring
(:class:`KeyringSecretStore`) or, when the user chooses so, live in memory for the session
(:class:`SessionSecretStore`). Profiles (:class:`Profile`) hold no secret at all.
"""

from console.credentials.profiles import (
    CUSTOM_REGION,
    Profile,
    ProfileStore,
    SignInMethod,
    config_dir,
    data_dir,
)
from console.credentials.secrets import (
    CredentialsError,
    KeyringSecretStore,
    SecretStore,
    SecretVault,
    SessionSecretStore,
)

__all__ = [
    "CUSTOM_REGION",
    "CredentialsError",
    "KeyringSecretStore",
    "Profile",
    "ProfileStore",
    "SecretStore",
    "SecretVault",
    "SessionSecretStore",
    "SignInMethod",
    "config_dir",
    "data_dir",
]
