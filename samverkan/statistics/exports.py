"""The published figures as files: CSV, XLSX, JSON and an HTCDS-shaped JSON.

Every export is made from a build's stored figures, which passed disclosure
control when they were stored: no export can hold a figure the page does not
show. A withheld figure is empty and flagged ``c`` (confidential), as the
European statistical system marks it. Exports never add cells up: a sum of
withheld cells would be a new figure, and could reveal them.
"""

from __future__ import annotations

import csv
import io
import json

from django.utils.translation import gettext as _
from openpyxl import Workbook

from samverkan.statistics import figures
from samverkan.statistics.models import StatisticsRun

CONFIDENTIAL = "c"
TOTAL = "total"
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "htcds": "application/json",
}


def _long_rows(run: StatisticsRun):
    """(table, year, category, count) for every cell and margin, totals included."""
    for table in run.figures["tables"]:
        for year, cells, row_total in zip(
            table["rows"], table["cells"], table["row_totals"], strict=True
        ):
            for column, value in zip(table["columns"], cells, strict=True):
                yield table["key"], year, column, value
            yield table["key"], year, TOTAL, row_total
        for column, value in zip(table["columns"], table["column_totals"], strict=True):
            yield table["key"], TOTAL, column, value
        yield table["key"], TOTAL, TOTAL, table["total"]


def to_csv(run: StatisticsRun) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["table", "year", "category", "count", "flag"])
    for key, year, column, value in _long_rows(run):
        writer.writerow(
            [
                key,
                year,
                column,
                "" if value is None else value,
                CONFIDENTIAL if value is None else "",
            ]
        )
    return out.getvalue().encode("utf-8")


def to_json(run: StatisticsRun) -> bytes:
    return json.dumps(
        {
            "published_at": run.published_at.isoformat(),
            "note": "A figure withheld by disclosure control is null.",
            **run.figures,
        },
        indent=2,
    ).encode("utf-8")


def to_xlsx(run: StatisticsRun) -> bytes:
    book = Workbook()
    about = book.active
    about.title = _("About")
    data = run.figures
    for label, value in [
        (_("Country"), data["country"]),
        (_("From"), data["period"][0]),
        (_("To"), data["period"][1]),
        (_("Persons after de-duplication"), data["persons"]),
        (_("Records"), data["records"]),
        (_("Records per person"), data["ratio"]),
        (_("Smallest published count"), data["minimum_cell"]),
        (_("Withheld figures"), _("marked %(flag)s") % {"flag": CONFIDENTIAL}),
    ]:
        about.append([label, CONFIDENTIAL if value is None else value])
    for table in data["tables"]:
        sheet = book.create_sheet(table["key"][:31])
        key = table["key"]
        sheet.append([figures.title(key)])
        labels = [figures.column_label(key, column) for column in table["columns"]]
        sheet.append([_("Year"), *labels, _("Total")])
        for year, cells, total in zip(
            table["rows"], table["cells"], table["row_totals"], strict=True
        ):
            sheet.append([year, *[_cell(value) for value in cells], _cell(total)])
        sheet.append(
            [_("Total"), *[_cell(value) for value in table["column_totals"]], _cell(table["total"])]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: int | None):
    return CONFIDENTIAL if value is None else value


# --- The Human Trafficking Case Data Standard (HTCDS 2.0, IOM) ------------------
# Our value -> the standard's, field by field. A value without its own term in
# the standard goes out as "Other" with our code beside it, never merged with
# another value (see the module docstring).
HTCDS_FIELDS = {
    "status": (
        "vic_TraffickingStatus",
        {"identified": "ActualVictimOfTrafficking", "presumed": "PossibleVictimOfTrafficking"},
    ),
    "sex": (
        "prs_Gender",
        {
            "female": "Feminine",
            "male": "Masculine",
            "other": "NonConforming",
            "unknown": "NonSpecifiedUnknown",
        },
    ),
    "citizenship": ("prs_Citizenship", None),
    "exploitation": (
        "vic_TypeOfExploitation",
        {
            "sexual": "SexualExploitation",
            "labour": "ForcedLabour",
            "forced_begging": "ForcedBegging",
            "domestic_servitude": "Servitude",
            "forced_marriage": "ForcedMarriage",
            "organ_removal": "OrganRemoval",
        },
    ),
    "agency_kind": (
        "org_Type",
        {
            "police": "LawEnforcement",
            "ngo": "NGO",
            "health": "HealthServiceOrganisation",
            "migration": "ImmigrationService",
            "coordination_agency": "CentralGovernmentOrganisation",
            "social_services": "LocalGovernmentOrganisation",
        },
    ),
}


def to_htcds(run: StatisticsRun) -> bytes:
    aggregates = []
    for table in run.figures["tables"]:
        if table["key"] not in HTCDS_FIELDS:
            continue
        field, values = HTCDS_FIELDS[table["key"]]
        for year, cells in zip(table["rows"], table["cells"], strict=True):
            for column, count in zip(table["columns"], cells, strict=True):
                value = column if values is None else values.get(column, "Other")
                entry = {"field": field, "value": value, "year": int(year), "count": count}
                if values is not None and column not in values:
                    entry["samverkan_value"] = column
                if count is None:
                    entry["flag"] = CONFIDENTIAL
                aggregates.append(entry)
    document = {
        "standard": "Human Trafficking Case Data Standard",
        "standard_version": "2.0",
        "unit": "persons after de-duplication, counted by year of first registration",
        "country": run.figures["country"],
        "period": run.figures["period"],
        "minimum_cell": run.figures["minimum_cell"],
        "aggregates": aggregates,
    }
    return json.dumps(document, indent=2).encode("utf-8")


WRITERS = {"csv": to_csv, "xlsx": to_xlsx, "json": to_json, "htcds": to_htcds}


def filename(run: StatisticsRun, export_format: str) -> str:
    extension = "json" if export_format == "htcds" else export_format
    suffix = "-htcds" if export_format == "htcds" else ""
    return f"statistics-{run.country}-{run.period_start}-{run.period_end}{suffix}.{extension}"
