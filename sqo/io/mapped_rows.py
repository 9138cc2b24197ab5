"""What every kind of mapped row (opportunity or lead) reads the same way: a field's text through
its column or template and its value table, a field's time, and the external ids of the owners
and accounts a row names."""

from __future__ import annotations

from datetime import datetime

from sqo.domain.stages import StageModel
from sqo.io.incoming import Kind, Ref
from sqo.io.mapping import Mapping, template_columns
from sqo.io.notes import FileNotes
from sqo.io.values import parse_moment


def rep_key(source: str, name: str) -> str:
    return f"{source}:rep:{name.strip()}"


def account_key(source: str, name: str) -> str:
    return f"{source}:account:{name.strip()}"


class MappedRows:
    """Reads the mapped fields of one row; subclasses turn them into one kind of record."""

    def __init__(self, mapping: Mapping, model: StageModel, now: datetime) -> None:
        self.mapping = mapping
        self.model = model
        self.now = now
        self.notes = FileNotes()  # what reading the file changed, for its report
        self._plans: dict[str, tuple[str | None, list[str], dict[str, str]]] = {}

    def text(self, values: dict[str, str], field: str, *, translate: bool = True) -> str | None:
        plan = self._plans.get(field)
        if plan is None:
            plan = self._plans[field] = self._plan(field)
        spec, columns, table = plan
        if spec is None:
            return None
        if columns:
            parts = {c: values.get(c, "").strip() for c in columns}
            text = spec.format(**parts).strip(" -–:,")
        else:
            text = values.get(spec, "").strip()
        if not text:
            return None
        return table.get(text, text) if translate else text

    def _plan(self, field: str) -> tuple[str | None, list[str], dict[str, str]]:
        """A field's column (or template and its columns) and value table, looked up once per
        file: :meth:`text` runs a dozen times per row."""
        spec = self.mapping.fields.get(field)
        columns = template_columns(spec) if spec is not None else []
        return spec, columns, self.mapping.values.get(field, {})

    def moment(self, values: dict[str, str], field: str) -> datetime | None:
        text = self.text(values, field)
        return parse_moment(text, field=field, order=self.mapping.date_format) if text else None

    def people_refs(self, values: dict[str, str]) -> dict[str, Ref]:
        """The owner and account a row names, created under their names when not known."""
        refs: dict[str, Ref] = {}
        owner = self.text(values, "owner")
        if owner:
            refs["owner_id"] = Ref(Kind.REP, rep_key(self.mapping.source, owner), placeholder=owner)
        account = self.text(values, "account")
        if account:
            refs["account_id"] = Ref(
                Kind.ACCOUNT, account_key(self.mapping.source, account), placeholder=account
            )
        return refs
