"""The case pages and endpoints in the authorization matrix (see
samverkan/policy/tests/test_matrix.py): URL name -> the role-level policy
action that opens it. Which cases, and what of them, is then decided per case.
"""

WEB_ROUTES: dict[str, str] = {}

API_ROUTES: dict[str, str] = {}
