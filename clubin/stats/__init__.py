"""Federation and network statistics, read from rollup tables refreshed by beat."""
