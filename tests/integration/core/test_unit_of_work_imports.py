"""The unit of work's import transactions on a SQLite file and on PostgreSQL: what one file
commits is seen by others while the import goes on, and a second import waits for the lock."""

from __future__ import annotations

from sqo.domain.actor import Actor
from sqo.domain.errors import WorkspaceError
from sqo.services.workspace import init_workspace, open_workspace


def test_a_file_committed_is_seen_while_the_import_continues(db_url: str, actor: Actor) -> None:
    ws = init_workspace(db_url, actor)
    other = open_workspace(db_url)
    try:
        with ws.unit_of_work() as uow:
            uow.lock_for_import()
            uow.settings.put("file", "first")
            uow.commit()
            uow.begin()
            uow.lock_for_import()
            uow.settings.put("file", "second")
            with other.unit_of_work() as reader:
                assert reader.settings.get("file") == "first"
            uow.commit()
        with other.unit_of_work() as reader:
            assert reader.settings.get("file") == "second"
    finally:
        other.close()
        ws.close()


def test_a_second_import_waits_for_the_first_then_says_why(db_url: str, actor: Actor) -> None:
    ws = init_workspace(db_url, actor)
    other = open_workspace(db_url)
    try:
        with ws.unit_of_work() as first:
            first.lock_for_import()
            try:
                with other.unit_of_work() as second:
                    second.lock_for_import(wait=1)
            except WorkspaceError as exc:
                refused = exc.message
            else:
                raise AssertionError("the second import did not wait for the first")
        assert refused == (
            "Another import into this workspace is still running after 1 minutes of waiting "
            "for it; nothing was imported. Try again when it has finished."
        )
        with other.unit_of_work() as second:
            second.lock_for_import(wait=1)  # free again once the first has ended
    finally:
        other.close()
        ws.close()
