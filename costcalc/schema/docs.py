"""JSON Schema with field descriptions taken from attribute docstrings.

pydantic can read attribute docstrings itself (`use_attribute_docstrings`), but
it does so while building every model, parsing source at each start-up (~45 ms
for costcalc's formats). Descriptions matter only when a schema is printed, so
they are read here, from the source, on demand.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import sys
from functools import cache
from typing import Any

from pydantic import BaseModel


@cache
def _module_docs(module_name: str) -> dict[str, dict[str, str]]:
    """Class name -> {field: docstring} for every class of a module."""
    module = sys.modules[module_name]
    tree = ast.parse(inspect.getsource(module))
    found: dict[str, dict[str, str]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        docs: dict[str, str] = {}
        body = node.body
        for this, following in itertools.pairwise(body):
            if (
                isinstance(this, ast.AnnAssign)
                and isinstance(this.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[this.target.id] = inspect.cleandoc(following.value.value)
        found[node.name] = docs
    return found


def field_docs(cls: type[BaseModel]) -> dict[str, str]:
    """Attribute docstrings of a model and its bases (nearest class wins)."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if isinstance(klass, type) and issubclass(klass, BaseModel) and klass is not BaseModel:
            docs.update(_module_docs(klass.__module__).get(klass.__name__, {}))
    return docs


def _models_in(cls: type[BaseModel], seen: dict[str, type[BaseModel]]) -> None:
    if cls.__name__ in seen:
        return
    seen[cls.__name__] = cls
    for info in cls.model_fields.values():
        stack: list[Any] = [info.annotation]
        while stack:
            tp = stack.pop()
            if isinstance(tp, type) and issubclass(tp, BaseModel):
                _models_in(tp, seen)
            stack.extend(getattr(tp, "__args__", ()))


def json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON Schema with every documented field described."""
    schema = model.model_json_schema()
    classes: dict[str, type[BaseModel]] = {}
    _models_in(model, classes)
    targets = [(model.__name__, schema), *schema.get("$defs", {}).items()]
    for name, node in targets:
        cls = classes.get(name)
        if cls is None:
            continue
        for field, doc in field_docs(cls).items():
            prop = node.get("properties", {}).get(field)
            if prop is not None and "description" not in prop:
                prop["description"] = doc
    return schema
