"""Every SHOW INSERT INTO template of the catalog parses and plans: its column names (keywords such as
Values and Match among them) resolve, and EXPLAIN builds its CreateResource once the variables are given."""

from __future__ import annotations

import re

import pytest

from awsql_shell.catalog import Catalog
from awsql_shell.errors import AmbiguousNameError, AwsqlError, SqlSyntaxError, UnknownNameError
from awsql_shell.session import Session
from awsql_shell.settings import Settings

pytestmark = pytest.mark.slow

_VARIABLE = re.compile(r"\{\{ (\w+) \}\}")
# A value of each type that the schema's own type check accepts; bounds, patterns and enums may still refuse it,
# and that is a planned refusal, not a template that does not work.
_SAMPLES = {"string": "x", "integer": "1", "number": "1", "boolean": "true", "object": "{}", "array": "[]"}


def test_every_insert_template_parses_and_plans(catalog: Catalog) -> None:
    session = Session(Settings(region="us-east-1"), catalog=catalog)
    broken: list[tuple[str, str]] = []
    planned = 0
    for entry in catalog:
        if "create" not in entry.handlers:
            continue
        (template,) = session.run(f"SHOW INSERT INTO {entry.id}")
        text = template.rows[0][0]
        schema = catalog.schema(entry.type_name)
        columns = {column.name: column for column in schema.columns}
        session.settings.variables = {name: _sample(columns.get(name)) for name in _VARIABLE.findall(text)}
        try:
            (explained,) = session.run(f"EXPLAIN {text}")
        except (SqlSyntaxError, UnknownNameError, AmbiguousNameError) as exc:
            broken.append((entry.id, exc.message))
        except AwsqlError:
            continue  # a sample value the schema refuses (a pattern, a bound): the template itself is sound
        else:
            assert explained.rows[0][1] == "CreateResource", entry.id
            planned += 1
    assert broken == []
    assert planned > 500  # the rest refused a sample value, as planned: the templates themselves all parse


def _sample(column: object) -> str:
    if column is None or getattr(column, "is_pseudo", False):
        return "us-east-1"
    enum = getattr(column, "enum", ())
    return str(enum[0]) if enum else _SAMPLES.get(getattr(column, "type", "string"), "x")
