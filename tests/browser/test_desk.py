"""The analyst's desk in a real browser (headless chromium) against a live server: an analyst
logs in, opens a report, reads why a subject hit a list entry, dismisses the hit with a reason and
finds the decision in the review log; an analyst of another state cannot reach an AMBER+STRICT
report by its address. On the way it takes the README's screenshots (docs/screenshots/)."""
from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from monitoring.demo import demo_load
from monitoring.models import MatchReview, ScreeningMatch, ViolationReport
from sanctions.models import ListEntry, Vessel, VesselIdentityPeriod, VesselParty
from tests.sanctions import list_history

from .conftest import WAIT_SECONDS

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True),
              pytest.mark.usefixtures("migration_data_put_back")]

PASSWORD = "browser-test-pw-2026"
TIMELINE_ENTRY = list_history.ENTRY


def _vessel() -> Vessel:
    """SAEBYOL (named in a Japanese AMBER report released to Korea), with a history of names,
    flags and MMSIs, one of them not matching its flag."""
    # The demo's list samples may name the hull already: the analyst's research is added to it.
    vessel, _ = Vessel.objects.update_or_create(imo_number="8916293", defaults=dict(
        name="SAEBYOL", flag="KP", mmsi="445112000", call_sign="HMSB2", vessel_type="Oil tanker", build_year=1990))
    periods = [
        dict(name="CHON MA SAN", flag="KP", flag_status="confirmed", mmsi="445112000", call_sign="HMSB2",
             valid_from=datetime.date(2009, 3, 1), valid_to=datetime.date(2016, 5, 31), basis="registry"),
        dict(name="KAI HANG", flag="PA", flag_status="fraudulent", mmsi="445112000", call_sign="3FQZ7",
             valid_from=datetime.date(2016, 6, 1), valid_to=datetime.date(2019, 1, 15), basis="ais",
             source_note="AIS broadcasts while loading at Nampo"),
        dict(name="SAEBYOL", flag="KP", flag_status="claimed", mmsi="445112000", call_sign="HMSB2",
             valid_from=datetime.date(2019, 1, 16), basis="report", source_note="Japanese report, 2024"),
    ]
    for period in periods:
        VesselIdentityPeriod.objects.create(vessel=vessel, **period)
    VesselParty.objects.create(vessel=vessel, role="registered_owner",
                               list_entry=ListEntry.objects.get(reference_number="KPe.064"))
    return vessel


@pytest.fixture
def desk(settings):
    settings.DEBUG = False
    summary = demo_load(password=PASSWORD)
    assert len(summary.reports_created) == 8
    list_history.amend_remove_relist()
    return {"vessel": _vessel()}


def _wait(browser):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, WAIT_SECONDS)


def _login(browser, live_server, username: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    browser.delete_all_cookies()
    browser.get(live_server.url + reverse("admin:login"))
    browser.find_element(By.ID, "id_username").send_keys(username)
    browser.find_element(By.ID, "id_password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    _wait(browser).until(EC.presence_of_element_located((By.ID, "desk-dashboard")))
    # The admin's navigation sidebar folded away (as its « button does), for wider screenshots.
    browser.execute_script("localStorage.setItem('django.admin.navSidebarIsOpen', 'false')")
    browser.refresh()
    _wait(browser).until(EC.presence_of_element_located((By.ID, "desk-dashboard")))


def test_analyst_reads_a_hit_dismisses_it_with_a_reason_and_finds_it_in_the_review_log(
        browser, live_server, desk, screenshot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    report = ViolationReport.objects.get(demo_key="demo-troops-kursk")
    hit = ScreeningMatch.objects.get(report=report, list_entry__reference_number="KPi.063")
    assert hit.review_status == "pending"

    # given: the Korean analyst on the desk's home page
    _login(browser, live_server, "analyst.kr")
    pending = browser.find_element(By.CSS_SELECTOR, "#desk-pending .desk-big").text
    assert int(pending) > 0
    assert "UN Security Council" in browser.find_element(By.ID, "desk-freshness").text
    assert "premature end of data" in browser.find_element(By.ID, "desk-freshness").text
    screenshot("dashboard")

    # when: she opens the report from the reports list
    browser.get(live_server.url + reverse("admin:monitoring_violationreport_changelist"))
    browser.find_element(By.LINK_TEXT, report.title).click()
    card = _wait(browser).until(EC.presence_of_element_located((By.ID, f"hit-{hit.pk}")))
    screenshot("report-with-hits")

    # then: the hit says in words which name matched which
    why = card.find_element(By.CSS_SELECTOR, ".desk-why").text
    assert "Reported “Pak Yongsik” matched the listed name “PAK YONG SIK”" in why
    assert "Nationality agrees" in why

    # when: she dismisses it with a reason, in one step
    card.find_element(By.NAME, "reason").send_keys("Different person: born 1971, not in the unit named.")
    card.find_element(By.CSS_SELECTOR, "button[name=decision][value=dismiss]").click()

    # then: the page comes back with the decision in the hit's review log
    _wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".messagelist .success")))
    card = browser.find_element(By.ID, f"hit-{hit.pk}")
    log = card.find_element(By.CSS_SELECTOR, ".desk-log").text
    assert "analyst.kr" in log and "Dismiss" in log and "Different person: born 1971" in log
    assert "Dismissed" in card.find_element(By.CSS_SELECTOR, ".desk-hit-head").text
    review = MatchReview.objects.get(match=hit)
    assert (review.decision, review.reviewer_label) == ("dismiss", "analyst.kr")

    # and in the review log's own list
    browser.get(live_server.url + reverse("admin:monitoring_matchreview_changelist") + "?q=born+1971")
    assert "Pak Yongsik" in browser.find_element(By.ID, "result_list").text

    # the review queue no longer holds it
    browser.get(live_server.url + reverse("admin:review_queue"))
    queue = _wait(browser).until(EC.presence_of_element_located((By.ID, "result_list"))).text
    assert "Pak Yongsik" not in queue and "Ministry of National Defense" in queue
    screenshot("review-queue")

    # the list entry's timeline: added, amended (field by field), removed, relisted
    entry = ListEntry.objects.get(reference_number=TIMELINE_ENTRY)
    browser.get(live_server.url + reverse("admin:sanctions_listentry_change", args=[entry.pk]))
    timeline = browser.find_element(By.ID, "desk-timeline")
    kinds = [li.get_attribute("class") for li in timeline.find_elements(By.CSS_SELECTOR, ".desk-timeline > li")]
    assert kinds == ["desk-change-added", "desk-change-amended", "desk-change-removed", "desk-change-relisted"]
    assert list_history.NEW_ALIAS in timeline.text and "리만건" in browser.find_element(By.ID, "desk-names").text
    browser.execute_script("arguments[0].scrollIntoView()", browser.find_element(By.ID, "desk-identifiers"))
    screenshot("entry-timeline")

    # the vessel page: identity over time, warnings, the reports it appears in
    vessel = desk["vessel"]
    browser.get(live_server.url + reverse("admin:sanctions_vessel_change", args=[vessel.pk]))
    warnings = browser.find_element(By.ID, "desk-identity-timeline").text
    assert "KAI HANG" in warnings and "but the flag is PA" in warnings
    sts = ViolationReport.objects.get(demo_key="demo-sts-east-china-sea")  # JP, AMBER, released to KR
    assert sts.title in browser.find_element(By.ID, "desk-vessel-reports").text
    screenshot("vessel")


def test_analyst_of_another_state_cannot_reach_an_amber_strict_report_by_its_address(browser, live_server, desk):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    strict = ViolationReport.objects.get(demo_key="demo-arms-transfer-komid")
    assert (strict.tlp, strict.reporting_state.country.code) == ("AMBER+STRICT", "GB")
    url = live_server.url + reverse("admin:monitoring_violationreport_change", args=[quote(strict.pk)])

    # given: the Korean analyst, who knows the address
    _login(browser, live_server, "analyst.kr")

    # when
    browser.get(url)

    # then: back on the home page, told there is no such report, and nothing of it shown
    message = _wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, ".messagelist"))).text
    assert "doesn’t exist" in message or "doesn't exist" in message
    assert browser.current_url.rstrip("/").endswith("/admin")
    assert strict.title not in browser.page_source
    assert "Green Pine" not in browser.page_source

    # nor can its hits be decided on through the review address
    hit = strict.matches.first()
    browser.get(live_server.url + reverse("admin:monitoring_violationreport_review_hit",
                                          args=[quote(strict.pk), hit.pk]))
    assert strict.title not in browser.page_source
    assert not MatchReview.objects.filter(match__report=strict).exists()

    # while an analyst of the originating state opens it
    _login(browser, live_server, "analyst.gb")
    browser.get(url)
    _wait(browser).until(EC.presence_of_element_located((By.ID, "desk-hits")))
    assert strict.title in browser.page_source


def test_a_hit_lists_every_list_that_designates_the_entry(browser, live_server, desk, screenshot):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC

    # given: Ocean Maritime Management, designated by the UN (KPe.020), and in the demo's samples of
    # the UK, EU and Japanese lists, each citing KPe.020 (seeds/README.md)
    report = ViolationReport.objects.get(demo_key="demo-vessel-identity-fraud")  # NZ, GREEN
    hit = ScreeningMatch.objects.get(report=report, list_entry__reference_number="KPe.020",
                                     list_entry__source__slug="un-sc")

    # when: an analyst of another member state opens the report
    _login(browser, live_server, "analyst.kr")
    browser.get(live_server.url + reverse("admin:monitoring_violationreport_change", args=[quote(report.pk)]))
    card = _wait(browser).until(EC.presence_of_element_located((By.ID, f"hit-{hit.pk}")))

    # then: the hit names each list that designates the entity, the UN's first
    designated = card.find_element(By.CSS_SELECTOR, ".desk-designated-by").text
    authorities = [part.strip() for part in designated.split(",")]
    assert authorities[0] == "UN Security Council"
    assert set(authorities) == {"UN Security Council", "HM Treasury OFSI", "European Commission",
                                "Japan Ministry of Finance"}

    # and the UN entry's page says who else lists it
    browser.get(live_server.url + reverse("admin:sanctions_listentry_change", args=[hit.list_entry_id]))
    also = browser.find_element(By.ID, "desk-also-listed-by").text
    assert "HM Treasury OFSI" in also and "European Commission" in also and "Japan Ministry of Finance" in also
