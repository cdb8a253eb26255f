"""Benchmark: compiling a survey's report for a large network, as a page's data,
a Word document and a slide deck, against reading the same responses.

Runs in a throwaway test database (created and dropped here) on whatever
DATABASE_URL names:

    DATABASE_URL=postgres://... .venv/bin/python bench/network_report.py [places]

Figures are ratios against a reference measured in the same run (these
machines are shared and noisy): the reference is one pass over the submitted
responses with their places and versions, the floor of any report.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samverkan.settings")
os.environ.setdefault("SAMVERKAN_ENV", "test")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_databases, teardown_databases  # noqa: E402
from django.utils import timezone  # noqa: E402

from samverkan.accounts.models import Membership, Organisation, Role, User  # noqa: E402
from samverkan.network import reports, services  # noqa: E402
from samverkan.network.models import Network, Question, Response  # noqa: E402


def world(places: int):
    organisation = Organisation.objects.create(
        name="Bench Secretariat", kind=Organisation.Kind.NETWORK_SECRETARIAT, country="FI"
    )
    user = User.objects.create_user("bench@bench.example", "a long bench passphrase")
    actor = Membership.objects.create(
        user=user, organisation=organisation, role=Role.NETWORK_COORDINATOR
    )
    network = services.network_create(actor=actor, name="Bench", kind=Network.Kind.CITY_UNION)
    survey = services.survey_create(
        actor=actor,
        network=network,
        title="Follow-up",
        deadline=timezone.localdate() + timedelta(days=10),
    )
    for kind in [Question.Kind.LONG_TEXT, Question.Kind.YES_NO, Question.Kind.SHORT_TEXT]:
        services.question_add(actor=actor, survey=survey, kind=kind, text=f"A {kind} question?")
    chosen = []
    for n in range(places):
        place = services.place_create(actor=actor, network=network, name=f"City {n}", country="SE")
        services.contact_create(
            actor=actor, place=place, full_name=f"C {n}", email=f"c{n}@city{n}.example"
        )
        chosen.append(place)
    services.survey_send(actor=actor, survey=survey, places=chosen)
    long_answer = "\n".join(f"- Measure number {m} of the city" for m in range(8))
    Response.objects.filter(survey=survey).update(
        status=Response.Status.SUBMITTED,
        answers={"q1": long_answer, "q2": "yes", "q3": "A short answer"},
    )
    return actor, survey


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    places = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    old_config = setup_databases(verbosity=0, interactive=False)
    try:
        actor, survey = world(places)
        print(f"database: {connection.vendor}, answering places: {places}")

        def read_rows():
            for response in survey.responses.select_related("place", "version"):
                _ = (response.place.name, response.answers, response.version.definition)

        reference = min(timed(read_rows) for _ in range(3))
        report = reports.report_compile(actor=actor, survey=survey)
        compile_time = min(
            timed(lambda: reports.report_compile(actor=actor, survey=survey)) for _ in range(3)
        )
        docx_time = timed(lambda: reports.report_docx(report))
        pptx_time = timed(lambda: reports.report_pptx(report))
        print(f"read the responses:  {reference * 1000:8.1f} ms (reference)")
        ratio = compile_time / reference
        print(f"compile the report:  {compile_time * 1000:8.1f} ms  ratio {ratio:.1f}")
        print(f"Word document:       {docx_time * 1000:8.1f} ms  ratio {docx_time / reference:.1f}")
        print(f"slide deck:          {pptx_time * 1000:8.1f} ms  ratio {pptx_time / reference:.1f}")
        print(
            f"per place: compile {compile_time / places * 1000:.2f} ms, "
            f"docx {docx_time / places * 1000:.2f} ms, pptx {pptx_time / places * 1000:.2f} ms"
        )
    finally:
        teardown_databases(old_config, verbosity=0)


if __name__ == "__main__":
    main()
