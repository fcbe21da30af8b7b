"""Alembic migrations of the zhengwu schema (run with ``zhengwu db upgrade``)."""
