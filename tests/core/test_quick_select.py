"""The lists' filters are written by QuickSelect (core/forms.py) in one pass: the same HTML as
WTForms' own select, for every filter form that uses it."""

import pytest
from wtforms.widgets import Select

from portal.judging.results.forms import ResultFilterForm
from portal.projects.forms import ProjectFilterForm
from portal.projects.reports.forms import FollowUpFilterForm

TRICKY = [("", "Tất cả"), ("a&b", 'Đã "nộp" <b>'), ("2026", "2026"), ("x", "")]


@pytest.mark.parametrize("form_class", [ResultFilterForm, ProjectFilterForm, FollowUpFilterForm])
@pytest.mark.parametrize("query", ["", "?year=2026&flag=a%26b&commune=nowhere&category=x"])
def test_a_filter_select_is_the_html_wtforms_writes(app, form_class, query):
    with app.test_request_context(f"/{query}", headers={"Accept-Language": "vi"}):
        form = form_class()
        selects = [field for field in form if field.type == "SelectField"]
        assert selects
        for field in selects:
            field.choices = TRICKY
        form.validate()
        for field in selects:
            extra = {"class_": "form-select", "aria-invalid": "true" if field.errors else False}
            assert field(**extra) == Select()(field, **extra), field.name
