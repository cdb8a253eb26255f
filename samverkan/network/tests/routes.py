"""The network's pages in the authorization matrix (see
samverkan/policy/tests/test_matrix.py): URL name -> the policy action that
opens it, or PUBLIC for the personal-link pages, which check the link."""

NETWORK_ROUTES: dict[str, str] = {
    "network-list": "network.view",
    "network-detail": "network.view",
    "network-members-import": "network.manage",
    "network-members-export": "network.view",
    "place-detail": "network.view",
    "contact-remove": "network.manage",
    "survey-detail": "survey.manage",
    "survey-question-remove": "survey.manage",
    "survey-preview": "survey.manage",
    "survey-xlsform-export": "survey.manage",
    "survey-xlsform-import": "survey.manage",
    "survey-report": "survey.report",
    "survey-report-docx": "survey.report",
    "survey-report-pptx": "survey.report",
    "survey-response-file": "survey.report",
    "action-plan-detail": "action_plan.manage",
    "framework-comparison": "action_plan.manage",
    "framework-comparison-xlsx": "action_plan.manage",
    "library": "library.view",
    "library-document": "library.view",
    "activity-detail": "activity.manage",
    "practice-list": "good_practice.review",
    "practice-review": "good_practice.review",
    "measure-assessment": "action_plan.manage",
}
# Reached without an account, through a personal link (samverkan.policy.network).
LINK_ROUTES = {
    "survey-link",
    "survey-respond",
    "survey-forward",
    "activity-report-link",
    "activity-report",
    "practice-share",
}
