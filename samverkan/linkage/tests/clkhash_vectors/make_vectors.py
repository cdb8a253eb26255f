"""Make the clkhash test vectors (run by hand, in a virtualenv with clkhash 0.18.3).

    python -m venv /tmp/clkvenv && /tmp/clkvenv/bin/pip install clkhash==0.18.3
    /tmp/clkvenv/bin/python make_vectors.py      # in this folder

records.csv is synthetic (``samverkan.linkage.synthetic``, made once with
``--records``, which needs Samverkan's own environment); the encodings in
expected-*.json are clkhash's own, never Samverkan's.
"""

import csv
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# A secret for these vectors only: never a real linkage secret.
SECRET = "c2FtdmVya2FuLXRlc3QtdmVjdG9ycy1ub3QtYS1yZWFsLXNlY3JldCE="
SCHEMAS = ("doublehash", "blake")
COLUMNS = ("record", "given_names", "family_name", "date_of_birth", "sex", "citizenship",
           "birth_year")  # fmt: skip


def make_records() -> None:
    from samverkan.linkage.synthetic import generate_population

    population = generate_population(40, seed=20261202)
    rows = [record for records in population.records.values() for record in records][:50]
    with open(HERE / "records.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for number, record in enumerate(rows):
            born = record["date_of_birth"]
            # Every seventh record without a date of birth, every fifth without a sex.
            writer.writerow([
                number,
                record["given_names"],
                record["family_name"],
                "" if number % 7 == 3 else born.isoformat(),
                "" if number % 5 == 4 else record["sex"],
                record["citizenship"],
                "" if number % 7 == 3 else born.year,
            ])  # fmt: skip


def make_encodings() -> None:
    import clkhash
    from clkhash import clk, schema
    from clkhash.serialization import serialize_bitarray

    with open(HERE / "records.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    for name in SCHEMAS:
        with open(HERE / f"schema-{name}.json", encoding="utf-8") as handle:
            loaded = schema.from_json_file(handle)
        filters = clk.generate_clks(rows, loaded, SECRET, max_workers=1)
        (HERE / f"expected-{name}.json").write_text(
            json.dumps(
                {
                    "made_with": f"clkhash {clkhash.__version__}",
                    "schema": f"schema-{name}.json",
                    "secret": SECRET,
                    "clks": [serialize_bitarray(bloom) for bloom in filters],
                },
                indent=1,
            )
            + "\n"
        )


if __name__ == "__main__":
    make_records() if "--records" in sys.argv else make_encodings()
