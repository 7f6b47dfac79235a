"""Local emulator of the Genesys Cloud API subset the console uses (genesys-api.md).

Independent of ``console.api``: it imports nothing from the rest of ``console``, so a bug in
the client cannot be mirrored here. See docs/sandbox-control.md for how to steer it.
"""

from console.sandbox.process import SandboxProcess, SandboxProcessError
from console.sandbox.server import Sandbox, SandboxConfig

__all__ = ["Sandbox", "SandboxConfig", "SandboxProcess", "SandboxProcessError"]
