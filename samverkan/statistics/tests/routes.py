"""The statistics pages and endpoints in the authorization matrix (see
samverkan/policy/tests/test_matrix.py): URL name -> the policy action that opens it.
Every role is crossed with every one of them in test_matrix.py beside this file."""

STATISTICS_ROUTES: dict[str, str] = {
    "statistics-overview": "statistics.view",
    "statistics-build": "statistics.build",
    "statistics-run": "statistics.view",
    "statistics-report": "statistics.view",
    "statistics-export": "statistics.export",
    "statistics-sources": "statistics.source.upload",
    # GET's action; POST to api-statistics-runs is "statistics.build".
    "api-statistics-runs": "statistics.view",
    "api-statistics-run": "statistics.view",
    "api-statistics-sources": "statistics.source.upload",
}
