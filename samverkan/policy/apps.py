from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "samverkan.policy"
    verbose_name = "Policy"
