"""docs/permissions.md restates the policy's role table; this keeps the two equal."""

from pathlib import Path

from samverkan.accounts.models import Role
from samverkan.policy.access import ROLE_ACTIONS

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"


def documented_table() -> dict[str, frozenset[str]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index("## Actions by role")
    header = next(line for line in lines[start:] if line.startswith("| action"))
    labels = [cell.strip() for cell in header.strip("|").split("|")][1:]
    roles = [Role(value) for label in labels for value, name in Role.choices if name == label]
    assert len(roles) == len(labels), "every column must name a role by its label"
    table = {}
    for line in lines[lines.index(header) + 2 :]:
        if not line.startswith("| `"):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        action = cells[0].strip("`")
        table[action] = frozenset(role for role, cell in zip(roles, cells[1:], strict=True) if cell)
    return table


def test_the_documented_table_is_the_policy():
    assert documented_table() == ROLE_ACTIONS
