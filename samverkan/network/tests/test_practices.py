"""Good practices shared through a personal link and reviewed before publication;
human rights impact assessments of measures."""

from __future__ import annotations

import pytest

from samverkan.network import plans, practices
from samverkan.network.models import GoodPractice
from samverkan.network.tests.conftest import links_in_outbox, make_survey

PRACTICE = {
    "title": "Resource team for prostitution and trafficking",
    "what": "Social services, police and health care consult one another on cases.",
    "who": "County administrative board",
    "themes": "cooperation, referral",
}


def test_a_shared_practice_is_published_only_after_review(client, union, login, send):
    send(make_survey(union), [union.vaxjo])
    client.get(f"/respond/{links_in_outbox()[0]}/")
    shared = client.post("/respond/practice/", PRACTICE, follow=True)
    assert "the secretariat will review the practice" in shared.content.decode()
    practice = GoodPractice.objects.get()
    assert (practice.place, practice.status) == (union.vaxjo, GoodPractice.Status.SUBMITTED)

    coordinator = client.__class__()
    login(coordinator, union.noora)
    assert list(practices.practice_search(actor=union.noora, words="resource")) == []
    coordinator.post(f"/network/practices/{practice.uuid}/review/", {"publish": "1"})
    assert [p.title for p in practices.practice_search(actor=union.noora, words="resource")] == [
        PRACTICE["title"]
    ]
    assert list(practices.practice_search(actor=union.noora, theme="prevention")) == []
    page = coordinator.post("/network/practices/", {"words": "police", "theme": "referral"})
    assert PRACTICE["title"] in page.content.decode()
    again = coordinator.post(f"/network/practices/{practice.uuid}/review/", {"decline": "1"})
    assert again.status_code == 302
    assert GoodPractice.objects.get().status == GoodPractice.Status.PUBLISHED
    assert list(practices.practice_search(actor=union.other, words="resource")) == []


def test_the_action_plan_shows_which_measures_were_assessed(client, union, login):
    plan = plans.action_plan_create(
        actor=union.noora, place=union.vaxjo, title="Plan", period_start=2024, period_end=2026
    )
    assessed = plans.measure_create(actor=union.noora, plan=plan, title="Outreach")
    plans.measure_create(actor=union.noora, plan=plan, title="Raids")
    login(client, union.noora)
    incomplete = client.post(
        f"/network/measures/{assessed.uuid}/assessment/", {"migrants_finding": "Low risk"}
    )
    assert incomplete.status_code == 400
    assert "Write a finding, even “not relevant”." in incomplete.content.decode()
    findings = {f"{key}_finding": "Not relevant" for key, _text in practices.HRIA_QUESTIONS}
    findings["sex_workers_mitigation"] = "Outreach workers are not police."
    done = client.post(f"/network/measures/{assessed.uuid}/assessment/", findings)
    assert done.status_code == 302
    assert assessed.assessment.answers["sex_workers"] == {
        "finding": "Not relevant",
        "mitigation": "Outreach workers are not police.",
    }
    page = client.get(f"/network/plans/{plan.uuid}/").content.decode()
    assert page.count('data-testid="assessed"') == 1
    assert "Not assessed: assess" in page


def test_another_secretariat_cannot_assess(union):
    plan = plans.action_plan_create(
        actor=union.noora, place=union.vaxjo, title="Plan", period_start=2024, period_end=2026
    )
    measure = plans.measure_create(actor=union.noora, plan=plan, title="Outreach")
    with pytest.raises(practices.access.PolicyDenied):
        practices.assessment_record(actor=union.other, measure=measure, answers={})
