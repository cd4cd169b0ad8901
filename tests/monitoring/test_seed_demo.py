"""`seed_demo` loads the sample list and the demo reports; a second run changes nothing."""
import io

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from monitoring.models import ViolationReport
from sanctions.models import ListEntry


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


@pytest.mark.django_db
def test_seed_demo_loads_sample_and_is_idempotent(settings):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("seed_demo", stdout=out)
    after_first = table_counts()
    first_titles = sorted(ViolationReport.objects.values_list("title", "status", "tlp"))
    call_command("seed_demo", stdout=out)

    assert table_counts() == after_first
    assert sorted(ViolationReport.objects.values_list("title", "status", "tlp")) == first_titles
    assert ListEntry.objects.filter(regime="DPRK").count() >= 20
    assert ListEntry.objects.count() >= 30
    assert ViolationReport.objects.count() >= 5
    assert set(ViolationReport.objects.values_list("category", flat=True)) >= {
        "arms_military", "sts_petroleum", "cyber_theft"}
    assert "analyst.kr" in out.getvalue() and "msmt-demo-2026" in out.getvalue()
    assert "already loaded" in out.getvalue()


@pytest.mark.django_db
def test_seed_demo_refuses_well_known_password_outside_debug(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="pass --password"):
        call_command("seed_demo")
    assert ViolationReport.objects.count() == 0


@pytest.mark.django_db
def test_seed_demo_shows_progress_on_a_terminal_and_nothing_in_a_log(settings):
    class Terminal(io.StringIO):
        def isatty(self):
            return True

    settings.DEBUG = True
    terminal, log = Terminal(), io.StringIO()

    call_command("seed_demo", stdout=io.StringIO(), stderr=terminal)
    call_command("seed_demo", stdout=io.StringIO(), stderr=log)

    assert "un-sc: compare" in terminal.getvalue() and "demo reports" in terminal.getvalue()
    assert "8/8" in terminal.getvalue()
    assert log.getvalue() == ""
