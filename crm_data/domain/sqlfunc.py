"""SQL functions written once per dialect: the arithmetic SQLite and PostgreSQL spell
differently (date differences, month numbers), compiled from a template of each."""

from __future__ import annotations

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


def dialect_function(name: str, type_, doc: str, *, postgresql: str, sqlite: str) -> type:
    """A FunctionElement `name(arg0, arg1, …)` of SQL type `type_`, compiled from
    `postgresql` / `sqlite` templates with {0}, {1}, … standing for the arguments."""
    cls = type(name, (FunctionElement,), {"type": type_, "inherit_cache": True, "name": name,
                                          "__doc__": doc})
    for dialect, template in (("postgresql", postgresql), ("sqlite", sqlite)):
        def compile_(element, compiler, _template=template, **kw):
            return _template.format(*(compiler.process(c, **kw) for c in element.clauses))
        compiles(cls, dialect)(compile_)
    return cls
