"""Model-level helpers that register nothing (imported where used)."""
