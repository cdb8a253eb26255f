"""``samverkan linkage encode``: encode an agency's people CSV, without Django or a database.

    SAMVERKAN_LINKAGE_SECRET=... samverkan linkage encode people.csv \\
        --agency-kind ngo --period 2026 --out encodings.json

Only encodings and non-identifying breakdown fields are written; the secret
comes from the environment, never from the command line (where other users
of the machine could read it).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date

from tqdm import tqdm

from samverkan.linkage.encoding import encode_standardised, parse_secret
from samverkan.linkage.errors import InputError, LinkageError, Problem
from samverkan.linkage.files import (
    AGENCY_KINDS,
    Period,
    read_people_csv,
    write_encodings_file,
)
from samverkan.linkage.schema import default_schema, load_schema

SECRET_VARIABLE = "SAMVERKAN_LINKAGE_SECRET"  # noqa: S105 (a name, not a secret)


def _period(args) -> Period:
    if args.period:
        try:
            year = int(args.period)
        except ValueError:
            raise InputError([Problem(0, "--period", "period_not_a_year")]) from None
        return Period(date(year, 1, 1), date(year, 12, 31))
    try:
        return Period(date.fromisoformat(args.start), date.fromisoformat(args.end))
    except (TypeError, ValueError):
        raise InputError([Problem(0, "--start/--end", "period_options")]) from None


def parser() -> argparse.ArgumentParser:
    command = argparse.ArgumentParser(
        prog="samverkan linkage encode",
        description="Encode people for privacy-preserving record linkage.",
    )
    command.add_argument(
        "csv",
        help="people CSV: given_names, family_name, date_of_birth, "
        "sex, citizenship; optional exploitation_form, identification, "
        "registered_on",
    )
    command.add_argument("--out", required=True, help="the encodings file to write (JSON)")
    command.add_argument("--schema", help="a schema file (default: Samverkan's person v1)")
    command.add_argument("--agency-kind", required=True, choices=AGENCY_KINDS)
    command.add_argument("--period", help="a calendar year, e.g. 2026")
    command.add_argument("--start", help="first day of the period (YYYY-MM-DD)")
    command.add_argument("--end", help="last day of the period (YYYY-MM-DD)")
    command.add_argument("--quiet", action="store_true", help="no progress bar")
    return command


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        secret = parse_secret(os.environ.get(SECRET_VARIABLE, ""))
        schema = load_schema(args.schema) if args.schema else default_schema()
        period = _period(args)
        records, breakdowns = read_people_csv(args.csv, schema, period)
        with tqdm(total=len(records), unit="records", disable=args.quiet, file=sys.stderr) as bar:
            encodings = encode_standardised(records, schema, secret, progress=bar.update)
        write_encodings_file(
            args.out,
            encodings,
            agency_kind=args.agency_kind,
            period=period,
            breakdowns=breakdowns,
        )
    except InputError as error:
        for problem in error.problems:
            where = f"line {problem.line}, {problem.column}" if problem.line else problem.column
            print(f"{args.csv}: {where}: {problem.message}", file=sys.stderr)
        return 2
    except LinkageError as error:
        print(f"samverkan linkage encode: {error}", file=sys.stderr)
        return 2
    print(f"{len(encodings)} records encoded into {args.out}", file=sys.stderr)
    return 0
