"""SQLAlchemy's ``sqo_spark`` dialect: Spark SQL through the DB-API module :mod:`.dbapi`.

What differs from the generic SQL SQLAlchemy writes: identifiers in backticks, ``/`` is always
true division (so ``//`` is ``FLOOR(a / b)``), text types are ``STRING`` and timestamps
``TIMESTAMP`` (the session's timestamps are zone-less, see :mod:`.session`).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from sqlalchemy.dialects import registry
from sqlalchemy.engine import Dialect, default
from sqlalchemy.sql import compiler

NAME = "sqo_spark"


class SparkIdentifierPreparer(compiler.IdentifierPreparer):
    def __init__(
        self,
        dialect: Dialect,
        initial_quote: str = "`",
        final_quote: str | None = None,
        escape_quote: str = "`",
        quote_case_sensitive_collations: bool = True,
        omit_schema: bool = False,
    ) -> None:
        super().__init__(
            dialect,
            initial_quote,
            final_quote,
            escape_quote,
            quote_case_sensitive_collations,
            omit_schema,
        )

    def _requires_quotes(self, value: str) -> bool:
        # Spark's reserved words change with its ANSI mode; quoting every name is always right.
        return True


class SparkTypeCompiler(compiler.GenericTypeCompiler):
    def visit_string(self, type_: Any, **kw: Any) -> str:
        return "STRING"

    visit_VARCHAR = visit_CHAR = visit_NVARCHAR = visit_NCHAR = visit_TEXT = visit_string
    visit_text = visit_unicode = visit_unicode_text = visit_string

    def visit_datetime(self, type_: Any, **kw: Any) -> str:
        return "TIMESTAMP"

    visit_DATETIME = visit_TIMESTAMP = visit_datetime

    def visit_float(self, type_: Any, **kw: Any) -> str:
        return "DOUBLE"

    visit_FLOAT = visit_REAL = visit_DOUBLE = visit_DOUBLE_PRECISION = visit_float

    def visit_JSON(self, type_: Any, **kw: Any) -> str:
        return "STRING"  # JSON columns are exported as their JSON text


class SparkCompiler(compiler.SQLCompiler):
    pass


class SparkDialect(default.DefaultDialect):
    name = NAME
    driver = "pyspark"
    paramstyle = "named"
    supports_statement_cache = True
    div_is_floordiv = False
    supports_native_boolean = True
    supports_native_decimal = True
    supports_sane_rowcount = False
    supports_sane_multi_rowcount = False
    postfetch_lastrowid = False
    preparer = SparkIdentifierPreparer
    statement_compiler = SparkCompiler
    type_compiler_cls = SparkTypeCompiler
    # JSON columns are text in the warehouse: SQLAlchemy's JSON type parses them back.
    _json_serializer: Any = None
    _json_deserializer: Any = None

    @classmethod
    def import_dbapi(cls) -> ModuleType:
        from sqo.store.spark import dbapi

        return dbapi

    def _get_server_version_info(self, connection: Any) -> tuple[int, ...]:
        return ()

    def _get_default_schema_name(self, connection: Any) -> str:
        return "default"

    def do_rollback(self, dbapi_connection: Any) -> None:
        pass

    def do_commit(self, dbapi_connection: Any) -> None:
        pass

    def get_isolation_level(self, dbapi_connection: Any) -> Any:
        return None

    def has_table(
        self, connection: Any, table_name: str, schema: str | None = None, **kw: Any
    ) -> bool:
        session = connection.connection.dbapi_connection.session
        return bool(session.catalog.tableExists(table_name))


registry.register(NAME, "sqo.store.spark.dialect", "SparkDialect")
