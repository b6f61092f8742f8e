"""Project ids, allocated as parsing first meets a wiki, each in its own short transaction.

Allocating outside the file's transaction keeps parsing free of locks and lets rows carry the
store's ids from the start; a project row without counts (left by a failed load) is harmless.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from backend.db import WRITE
from backend.models import Project, core


def project_ids(connection: Connection) -> dict[str, int]:
    """``{name: id}`` of every project in the store."""
    projects = core(Project)
    return {name: id_ for name, id_ in connection.execute(select(projects.c.name, projects.c.id))}


def ensure_projects(connection: Connection, names: set[str] | list[str]) -> dict[str, int]:
    """Ids of the named projects, creating the missing ones (inside the caller's transaction)."""
    wanted = set(names)
    known = project_ids(connection)
    missing = sorted(wanted - known.keys())
    if missing:
        next_id = max(known.values(), default=0) + 1
        rows = [{"id": next_id + i, "name": name} for i, name in enumerate(missing)]
        connection.execute(insert(core(Project)), rows)
        known.update({row["name"]: row["id"] for row in rows})
    return {name: known[name] for name in wanted}


class ProjectRegistry:
    """Maps project names to the store's ids, creating projects on first sight.

    Known projects are read once; each new one costs one short write transaction on a
    connection the registry keeps (call :meth:`close` when done).
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        self.ids: dict[str, int] | None = None
        self._connection: Connection | None = None

    def __call__(self, name: str) -> int:
        if self.ids is None:
            with self.engine.connect() as connection:
                self.ids = project_ids(connection)
        found = self.ids.get(name)
        if found is None:
            found = self.ids[name] = self._allocate(name)
        return found

    def _allocate(self, name: str) -> int:
        if self._connection is None:
            self._connection = self.engine.connect().execution_options(**WRITE)
        for _attempt in range(5):
            try:
                with self._connection.begin():
                    return ensure_projects(self._connection, [name])[name]
            except IntegrityError:  # another process created a project meanwhile
                continue
        raise RuntimeError(f"could not allocate an id for project {name!r}")

    def close(self) -> None:
        """Release the registry's connection."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None
