"""Form errors as GOV.UK pages show them: an error summary, and a message at each field."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

from registry.errors import RegistryError


def adopt(form: FlaskForm, exc: RegistryError, whole: tuple[str, ...] = ()) -> None:
    """Put a service's refusal on the form: at its fields when it names them, else at the top.

    At the fields named in whole, the refusal's whole message is shown instead of the field's
    short problem (when the message says more than "this field is wrong").
    """
    placed = False
    if isinstance(exc.errors, dict):
        for name, problems in exc.errors.items():
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                messages = problems if isinstance(problems, list) else [problems]
                if name in whole:
                    messages = [exc.message]
                field.errors = list(field.errors or []) + [_sentence(m) for m in messages]
                placed = True
    if not placed:
        form.form_errors.append(exc.message)


def _sentence(message: Any) -> str:
    text = str(message)
    return text[:1].upper() + text[1:]


def summary(form: FlaskForm) -> list[dict[str, str]]:
    """The error summary's list: each problem linking to its field."""
    items = [{"text": message, "href": "#main-content"} for message in form.form_errors]
    for field in form:
        if field.type == "CSRFTokenField":
            continue
        items += [{"text": message, "href": f"#{field.id}"} for message in field.errors or []]
    return items


def first_error(field: Any) -> dict[str, str] | None:
    """govuk-frontend-jinja's errorMessage parameter for a field, or None."""
    return {"text": field.errors[0]} if field.errors else None


def choice_items(field: Any, hints: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """govuk-frontend-jinja's items for a checkbox or radio field, checked as the field's data."""
    data = field.data if isinstance(field.data, list) else [field.data]
    items = []
    for choice in field.choices:
        value, text = choice.value, choice.label
        item: dict[str, Any] = {"value": value, "text": text, "checked": value in data}
        if hints and value in hints:
            item["hint"] = {"text": hints[value]}
        items.append(item)
    return items
