"""Turn gateway data into pydantic models, translating validation errors into located, plain messages."""

from __future__ import annotations

import difflib
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from scenarios.gateway import DataPath, Problem, YamlDocument, YamlError, describe_type

M = TypeVar("M", bound=BaseModel)


def _fields_at(model: type[BaseModel], path: DataPath) -> set[str]:
    """The field names allowed in the mapping at ``path`` (for 'did you mean' hints)."""
    annotation: Any = model
    for part in path:
        current = _model_in(annotation)
        if current is not None and isinstance(part, str) and part in current.model_fields:
            annotation = current.model_fields[part].annotation
            continue
        args = [a for a in getattr(annotation, "__args__", ()) or () if a is not type(None)]
        if not args:
            return set()
        annotation = args[-1]  # list[X] -> X, dict[K, V] -> V
    found = _model_in(annotation)
    return set(found.model_fields) if found is not None else set()


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def dotted(path: DataPath) -> str:
    """``('nodes', 'opening', 'choices', 0, 'why')`` -> ``nodes.opening.choices[0].why``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _message(error: dict[str, Any], path: DataPath, model: type[BaseModel]) -> tuple[str, bool]:
    """A plain-language message for one pydantic error, and whether it points at a key."""
    kind = error["type"]
    where = dotted(path[:-1]) if path else "(top level)"
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "missing":
        return f"{where}: missing required field '{path[-1]}'", False
    if kind == "extra_forbidden":
        name = str(path[-1])
        hint = difflib.get_close_matches(name, sorted(_fields_at(model, path[:-1])), n=1, cutoff=0.75)
        suffix = f"; did you mean '{hint[0]}'?" if hint else ""
        return f"{where}: unknown field '{name}'{suffix}", True
    label = dotted(path)
    if kind in ("string_type",):
        return f"{label}: expected text, found {describe_type(value)}", False
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{label}: expected a whole number, found {describe_type(value)}", False
    if kind in ("list_type",):
        return f"{label}: expected a list, found {describe_type(value)}", False
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{label}: expected a mapping of fields, found {describe_type(value)}", False
    if kind == "literal_error":
        return f"{label}: '{value}' is not one of {ctx.get('expected', '')}", False
    if kind == "string_pattern_mismatch":
        if str(ctx.get("pattern", "")).startswith("^p[fo]"):
            return f"{label}: '{value}' is not a criterion id (pf.something or po.something)", False
        return f"{label}: '{value}' should be lower-case letters, digits and dashes (like 'first-visit')", False
    if kind == "string_too_short":
        return f"{label}: must not be empty", False
    if kind == "too_short":
        return f"{label}: needs at least {ctx.get('min_length')} item(s), found {ctx.get('actual_length')}", False
    if kind == "too_long":
        return f"{label}: allows at most {ctx.get('max_length')} item(s), found {ctx.get('actual_length')}", False
    if kind in ("greater_than_equal", "less_than_equal"):
        low = ctx.get("ge")
        high = ctx.get("le")
        bound = f"at least {low}" if low is not None else f"at most {high}"
        return f"{label}: must be {bound}, found {value!r}", False
    if kind == "value_error":
        return f"{label}: {ctx.get('error', error['msg'])!s}", False
    return f"{label}: {error['msg']}", False


def to_model(doc: YamlDocument, model: type[M], *, what: str) -> M:
    """Validate a document's data as ``model``; raise :class:`YamlError` with every located problem."""
    if not isinstance(doc.data, dict):
        raise YamlError(
            [
                doc.problem(
                    (),
                    f"a {what} file must be a mapping of fields at the top level (like 'id: ...'), found {describe_type(doc.data)}",
                )
            ]
        )
    try:
        return model.model_validate(doc.data)
    except ValidationError as exc:
        problems: list[Problem] = []
        for error in exc.errors(include_url=False):
            loc = tuple(error["loc"])
            # pydantic reports a bad dict key as (..., key, '[key]'); point at the key itself.
            key_error = len(loc) >= 2 and loc[-1] == "[key]" and error["type"] not in ("extra_forbidden", "missing")
            path: DataPath = tuple(p for p in (loc[:-1] if key_error else loc) if isinstance(p, (int, str)))
            message, key = _message(dict(error), path, model)
            problems.append(doc.problem(path, message, key=key or key_error))
        raise YamlError(_sorted_unique(problems)) from None


def _sorted_unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[int, int, str]] = set()
    out: list[Problem] = []
    for problem in sorted(problems, key=lambda p: (p.line, p.column, p.message)):
        marker = (problem.line, problem.column, problem.message)
        if marker not in seen:
            seen.add(marker)
            out.append(problem)
    return out
