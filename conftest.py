"""The compliance suite's root: its fixtures live in fixtures/ (options and reporting in the amaaudit plugin)."""

pytest_plugins = ["fixtures.compliance"]
