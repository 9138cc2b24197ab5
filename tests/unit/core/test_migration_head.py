"""The workspace opener compares against a revision known in advance instead of asking Alembic."""

from sqo.store import migrate


def test_the_known_head_is_alembics_newest_revision() -> None:
    assert migrate.head_revision() == migrate.HEAD
