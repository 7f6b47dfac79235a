"""The upload fixtures of tests/jobs (a sandbox client, a jobs folder, a list, open sources), shared here.

Imported by name, not through ``pytest_plugins`` (pytest refuses that outside the root conftest when
the same conftest is collected again in the full run).
"""

from tests.jobs.conftest import api, jobs_dir, list_id
from tests.jobs.upload.conftest import sources

__all__ = ["api", "jobs_dir", "list_id", "sources"]
