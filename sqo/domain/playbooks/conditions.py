"""Conditions on criteria: a tiny, safe expression language parsed with :mod:`ast`, never eval.

Examples: ``complexity == "complex"``, ``segment in ["enterprise", "mid-market"]``,
``amount >= 50000 and not segment == "SMB"``. Names must be known fields (:data:`FIELDS`);
only comparisons, ``and``/``or``/``not``, constants and lists of constants are allowed.
Text compares case-insensitively; a missing value (``None``) satisfies only ``==``/``!=`` tests.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqo.i18n import _

#: The fields a condition may name, with what they mean.
FIELDS: dict[str, str] = {
    "record_type": "lead or opportunity",
    "segment": "SMB, mid-market or enterprise (the account's, or the lead's own)",
    "complexity": "standard or complex",
    "amount": "deal value in major units (opportunities)",
    "stage": "current stage name",
    "source": "where the record came from",
    "industry": "the account's industry",
    "employees": "the account's number of employees",
    "country": "the account's country",
}

_COMPARE = (ast.Eq, ast.NotEq, ast.In, ast.NotIn, ast.Lt, ast.LtE, ast.Gt, ast.GtE)


class ConditionError(ValueError):
    """The condition does not parse or names something unknown."""


def _check(node: ast.AST, source: str) -> None:
    if isinstance(node, ast.Expression):
        _check(node.body, source)
    elif isinstance(node, ast.BoolOp) and isinstance(node.op, ast.And | ast.Or):
        for value in node.values:
            _check(value, source)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        _check(node.operand, source)
    elif isinstance(node, ast.Compare):
        if not all(isinstance(op, _COMPARE) for op in node.ops):
            raise ConditionError(_("unsupported comparison in {source!r}", source=source))
        for part in (node.left, *node.comparators):
            _check_operand(part, source)
    elif isinstance(node, ast.Name):
        _check_operand(node, source)  # a bare field: true when it has a value
    else:
        raise ConditionError(
            _(
                "{source!r} is not a condition; write comparisons such as "
                "complexity == 'complex' joined with and/or/not",
                source=source,
            )
        )


def _check_operand(node: ast.AST, source: str) -> None:
    if isinstance(node, ast.Name):
        if node.id not in FIELDS:
            raise ConditionError(
                _(
                    "unknown field {name!r} in {source!r}; known fields: {allowed}",
                    name=node.id,
                    source=source,
                    allowed=", ".join(FIELDS),
                )
            )
    elif isinstance(node, ast.Constant):
        if not isinstance(node.value, str | int | float | bool) and node.value is not None:
            raise ConditionError(_("unsupported value in {source!r}", source=source))
    elif isinstance(node, ast.List | ast.Tuple):
        for item in node.elts:
            if not isinstance(item, ast.Constant):
                raise ConditionError(
                    _("lists may hold only plain values in {source!r}", source=source)
                )
            _check_operand(item, source)
    else:
        raise ConditionError(_("unsupported expression in {source!r}", source=source))


def _norm(value: Any) -> Any:
    return value.casefold() if isinstance(value, str) else value


@dataclass(frozen=True)
class Condition:
    """A parsed condition; :meth:`holds` evaluates it against a record's values."""

    source: str
    _tree: ast.Expression = field(repr=False, compare=False)

    def names(self) -> set[str]:
        return {node.id for node in ast.walk(self._tree) if isinstance(node, ast.Name)}

    def holds(self, values: Mapping[str, Any]) -> bool:
        return bool(self._eval(self._tree.body, values))

    def _eval(self, node: ast.AST, values: Mapping[str, Any]) -> Any:
        if isinstance(node, ast.BoolOp):
            results = (bool(self._eval(v, values)) for v in node.values)
            return all(results) if isinstance(node.op, ast.And) else any(results)
        if isinstance(node, ast.UnaryOp):
            return not self._eval(node.operand, values)
        if isinstance(node, ast.Compare):
            left = self._eval(node.left, values)
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                right = self._eval(right_node, values)
                if not _compare(op, left, right):
                    return False
                left = right
            return True
        if isinstance(node, ast.Name):
            return _norm(values.get(node.id))
        if isinstance(node, ast.Constant):
            return _norm(node.value)
        if isinstance(node, ast.List | ast.Tuple):
            return [self._eval(item, values) for item in node.elts]
        raise ConditionError(_("unsupported expression in {source!r}", source=self.source))


def _compare(op: ast.cmpop, left: Any, right: Any) -> bool:
    if isinstance(op, ast.Eq):
        return bool(left == right)
    if isinstance(op, ast.NotEq):
        return bool(left != right)
    if isinstance(op, ast.In | ast.NotIn):
        inside = left is not None and isinstance(right, list) and left in right
        return inside if isinstance(op, ast.In) else not inside
    if left is None or right is None:
        return False
    try:
        if isinstance(op, ast.Lt):
            return bool(left < right)
        if isinstance(op, ast.LtE):
            return bool(left <= right)
        if isinstance(op, ast.Gt):
            return bool(left > right)
        return bool(left >= right)
    except TypeError:
        return False


def parse_condition(source: str) -> Condition:
    """Parse and check a condition; :class:`ConditionError` says what is wrong."""
    text = source.strip()
    if not text:
        raise ConditionError(_("the condition is empty"))
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise ConditionError(
            _("{source!r} does not parse ({problem})", source=text, problem=exc.msg)
        ) from None
    _check(tree, text)
    return Condition(source=text, _tree=tree)
