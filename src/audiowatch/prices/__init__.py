"""Price history of the listings a rule expression matches: statistics, charts and their files."""
