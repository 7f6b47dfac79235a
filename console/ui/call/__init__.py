"""Test-call page parts: number entry (pure), table models and background jobs."""
