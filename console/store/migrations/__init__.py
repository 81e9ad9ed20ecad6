"""Alembic migration scripts for the store (a package so they ship in the wheel)."""
